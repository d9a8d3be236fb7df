package chart

import "strings"

// Series is one set of values over the categories of a Columns chart.
type Series struct {
	Name   string
	Values []float64 // one per category; missing values count as 0
	Texts  []string  // each value as the reader should read it (tooltips and description)
	Line   bool      // drawn as a line with points instead of columns
}

// Columns is a chart of values per category (months): the column series
// side by side in each category, line series over them, a grid with
// labelled values on the left and a legend on top.
type Columns struct {
	Frame
	Categories []string
	Series     []Series
	Tick       func(v float64) string // labels the grid lines; plain numbers when nil
}

// Geometry of Columns.
const (
	colsWidth   = 440.0
	colsHeight  = 260.0
	colsLeft    = 52.0 // room for the grid labels
	colsRight   = 8.0
	colsTop     = 32.0 // room for the legend
	colsBottom  = 24.0 // room for the category labels
	colsGridN   = 4
	colsGroupIn = 0.7 // share of a category's width its columns take
)

// seriesColours cycle over the series: this year first, last year second.
var seriesColours = []string{colourPrimary, colourLast, colourOK, colourWarn}

// SVG draws the chart.
func (c Columns) SVG() SVG {
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	if len(c.Categories) == 0 || len(c.Series) == 0 {
		return empty(c.Frame, colsWidth, colsHeight/2)
	}
	top = niceTop(top)
	cv := &canvas{w: colsWidth, h: colsHeight}
	cv.open(c.Frame, c.describe())
	c.grid(cv, top)
	c.legend(cv)
	c.columns(cv, top)
	c.lines(cv, top)
	c.labels(cv)
	return cv.close()
}

func (c Columns) describe() string {
	var lines []string
	for _, s := range c.Series {
		for i, cat := range c.Categories {
			if i < len(s.Texts) {
				lines = append(lines, s.Name+" "+cat+": "+s.Texts[i])
			}
		}
	}
	return describe(lines)
}

// plot is the drawing area's height; y maps a value to its height on screen.
func (c Columns) y(v, top float64) float64 {
	plot := colsHeight - colsTop - colsBottom
	return colsHeight - colsBottom - scale(v, top, plot)
}

// band is the width of one category.
func (c Columns) band() float64 {
	return (colsWidth - colsLeft - colsRight) / float64(len(c.Categories))
}

func (c Columns) grid(cv *canvas, top float64) {
	tick := c.Tick
	if tick == nil {
		tick = func(v float64) string { return num(v) }
	}
	for i := 0; i <= colsGridN; i++ {
		v := top * float64(i) / colsGridN
		y := c.y(v, top)
		cv.line("chart-grid", colsLeft, y, colsWidth-colsRight, y, colourGrid, 1)
		cv.text("chart-tick", colsLeft-6, y+4, "end", colourMuted, tick(v))
	}
}

func (c Columns) legend(cv *canvas) {
	x := colsLeft
	for i, s := range c.Series {
		colour := seriesColours[i%len(seriesColours)]
		if s.Line {
			cv.line("chart-key", x, 12, x+14, 12, colour, 2)
		} else {
			cv.rect("chart-key", x, 6, 14, 12, colour, "")
		}
		cv.text("chart-legend", x+20, 16, "start", colourText, s.Name)
		x += 20 + 8*float64(len([]rune(s.Name))) + 24
	}
}

// columns draws the column series of each category side by side.
func (c Columns) columns(cv *canvas, top float64) {
	var bars []int
	for i, s := range c.Series {
		if !s.Line {
			bars = append(bars, i)
		}
	}
	if len(bars) == 0 {
		return
	}
	band := c.band()
	w := band * colsGroupIn / float64(len(bars))
	for ci, cat := range c.Categories {
		x0 := colsLeft + float64(ci)*band + band*(1-colsGroupIn)/2
		for k, si := range bars {
			s := c.Series[si]
			v := value(s.Values, ci)
			y := c.y(v, top)
			cv.rect("chart-col", x0+float64(k)*w, y, w-1, colsHeight-colsBottom-y, seriesColours[si%len(seriesColours)], s.Name+" "+cat+": "+text(s.Texts, ci))
		}
	}
}

// lines draws each line series through the middle of its categories.
func (c Columns) lines(cv *canvas, top float64) {
	band := c.band()
	for si, s := range c.Series {
		if !s.Line {
			continue
		}
		colour := seriesColours[si%len(seriesColours)]
		pts := make([]string, len(c.Categories))
		for ci := range c.Categories {
			pts[ci] = num(colsLeft+(float64(ci)+0.5)*band) + "," + num(c.y(value(s.Values, ci), top))
		}
		cv.printf(`<polyline class="chart-line" points="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.Join(pts, " "), colour)
		for ci, cat := range c.Categories {
			cv.printf(`<circle class="chart-point" cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`,
				num(colsLeft+(float64(ci)+0.5)*band), num(c.y(value(s.Values, ci), top)), colour, esc(s.Name+" "+cat+": "+text(s.Texts, ci)))
		}
	}
}

func (c Columns) labels(cv *canvas) {
	band := c.band()
	for ci, cat := range c.Categories {
		cv.text("chart-cat", colsLeft+(float64(ci)+0.5)*band, colsHeight-6, "middle", colourMuted, cat)
	}
}

func value(v []float64, i int) float64 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

func text(t []string, i int) string {
	if i < len(t) {
		return t[i]
	}
	return ""
}
