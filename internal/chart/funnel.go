package chart

// Stage is one step of a Funnel.
type Stage struct {
	Label      string
	Count      float64
	CountText  string
	Conversion string // the share that came on from the step before ("45.0%"); "" for the first
	Tone       string // ToneBad for a losing step, say; ToneNeutral otherwise
}

// Funnel draws each step as a bar centred under the one before, as wide
// as its count, with the step's name on the left and its count and
// conversion from the step before on the right.
type Funnel struct {
	Frame
	Stages []Stage
}

// Geometry of Funnel.
const (
	funnelWidth  = 400.0
	funnelRowH   = 30.0
	funnelBarH   = 22.0
	funnelLabelW = 110.0 // the names' column
	funnelTextW  = 100.0 // the counts' column
	funnelPad    = 6.0
)

// SVG draws the funnel.
func (c Funnel) SVG() SVG {
	if len(c.Stages) == 0 {
		return empty(c.Frame, funnelWidth, 2*funnelRowH)
	}
	top := 0.0
	for _, s := range c.Stages {
		top = max(top, s.Count)
	}
	cv := &canvas{w: funnelWidth, h: float64(len(c.Stages))*funnelRowH + 2*funnelPad}
	lines := make([]string, len(c.Stages))
	for i, s := range c.Stages {
		lines[i] = s.Label + ": " + stageText(s)
	}
	cv.open(c.Frame, describe(lines))
	area := funnelWidth - funnelLabelW - funnelTextW
	mid := funnelLabelW + area/2
	for i, s := range c.Stages {
		y := funnelPad + float64(i)*funnelRowH
		w := max(scale(s.Count, top, area), 2)
		cv.text("chart-label", funnelLabelW-funnelPad, y+funnelBarH/2+4, "end", colourText, s.Label)
		cv.rect("chart-stage chart-"+orNeutral(s.Tone), mid-w/2, y, w, funnelBarH, toneColour(s.Tone), s.Label+": "+stageText(s))
		cv.text("chart-value", funnelWidth-funnelTextW+funnelPad, y+funnelBarH/2+4, "start", colourMuted, stageText(s))
	}
	return cv.close()
}

// stageText is a step's count with its conversion.
func stageText(s Stage) string {
	if s.Conversion == "" {
		return s.CountText
	}
	return s.CountText + " · " + s.Conversion
}
