package chart

import "strconv"

// Bin is one column of a Histogram.
type Bin struct {
	Label string
	Count int
	Tone  string
}

// Histogram draws how many fall in each bin as a column with its count
// above it and its label below.
type Histogram struct {
	Frame
	Bins []Bin
}

// Geometry of Histogram.
const (
	histWidth  = 360.0
	histHeight = 200.0
	histTop    = 20.0 // room for the counts
	histBottom = 24.0 // room for the labels
	histPad    = 8.0
	histFill   = 0.7 // share of a bin's width its column takes
)

// SVG draws the histogram; with no bin, or no count in any, the empty text.
func (c Histogram) SVG() SVG {
	most := 0
	for _, b := range c.Bins {
		most = max(most, b.Count)
	}
	if most == 0 {
		return empty(c.Frame, histWidth, histHeight/2)
	}
	cv := &canvas{w: histWidth, h: histHeight}
	lines := make([]string, len(c.Bins))
	for i, b := range c.Bins {
		lines[i] = b.Label + ": " + strconv.Itoa(b.Count)
	}
	cv.open(c.Frame, describe(lines))
	band := (histWidth - 2*histPad) / float64(len(c.Bins))
	plot := histHeight - histTop - histBottom
	base := histHeight - histBottom
	cv.line("chart-axis", histPad, base, histWidth-histPad, base, colourGrid, 1)
	for i, b := range c.Bins {
		h := scale(float64(b.Count), float64(most), plot)
		x := histPad + float64(i)*band
		cv.rect("chart-bin chart-"+orNeutral(b.Tone), x+band*(1-histFill)/2, base-h, band*histFill, h, toneColour(b.Tone), b.Label+": "+strconv.Itoa(b.Count))
		cv.text("chart-value", x+band/2, base-h-5, "middle", colourText, strconv.Itoa(b.Count))
		cv.text("chart-cat", x+band/2, histHeight-6, "middle", colourMuted, b.Label)
	}
	return cv.close()
}
