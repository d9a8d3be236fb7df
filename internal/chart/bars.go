package chart

// BarRow is one row of a Bars chart: an actual against its target.
type BarRow struct {
	Label  string
	Href   string // where the label and the bar lead (optional)
	Actual float64
	Target float64
	Text   string // the figures, written at the end of the label line
	Tone   string // ToneOK, ToneWarn, ToneBad or ToneNeutral
}

// Bars is a horizontal bar per row: a light track as long as the target,
// the actual over it in the row's tone, and a mark where the target ends.
// The label sits above its bar, so the chart stays narrow on a phone.
type Bars struct {
	Frame
	Rows []BarRow
}

// Geometry of Bars.
const (
	barsWidth  = 400.0
	barsRowH   = 44.0
	barsBarY   = 20.0 // bar's top within its row
	barsBarH   = 14.0
	barsPad    = 8.0
	barsMarkUp = 4.0 // how far the target mark reaches beyond the bar
)

// SVG draws the chart.
func (c Bars) SVG() SVG {
	if len(c.Rows) == 0 {
		return empty(c.Frame, barsWidth, 2*barsRowH)
	}
	top := 0.0
	for _, r := range c.Rows {
		top = max(top, r.Actual, r.Target)
	}
	cv := &canvas{w: barsWidth, h: float64(len(c.Rows))*barsRowH + barsPad}
	lines := make([]string, len(c.Rows))
	for i, r := range c.Rows {
		lines[i] = r.Label + ": " + r.Text
	}
	cv.open(c.Frame, describe(lines))
	length := barsWidth - 2*barsPad
	for i, r := range c.Rows {
		y := float64(i)*barsRowH + barsPad
		tip := r.Label + ": " + r.Text
		cv.link(r.Href, func() {
			if r.Href != "" { // the whole row answers a click, not only its marks
				cv.printf(`<rect class="chart-hit" x="0" y="%s" width="%s" height="%s" fill="#fff" fill-opacity="0"/>`, num(y), num(barsWidth), num(barsRowH))
			}
			cv.text("chart-label", barsPad, y+13, "start", colourText, r.Label)
			cv.rect("chart-track", barsPad, y+barsBarY, scale(r.Target, top, length), barsBarH, colourTrack, tip)
			cv.rect("chart-bar chart-"+orNeutral(r.Tone), barsPad, y+barsBarY, scale(r.Actual, top, length), barsBarH, toneColour(r.Tone), tip)
		})
		cv.text("chart-value", barsWidth-barsPad, y+13, "end", colourMuted, r.Text)
		if r.Target > 0 {
			x := barsPad + scale(r.Target, top, length)
			cv.line("chart-target", x, y+barsBarY-barsMarkUp, x, y+barsBarY+barsBarH+barsMarkUp, colourText, 2)
		}
	}
	return cv.close()
}

func orNeutral(tone string) string {
	if tone == "" {
		return "neutral"
	}
	return tone
}
