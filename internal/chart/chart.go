// Package chart draws small charts on the server as inline SVG: bars of
// actual against target, monthly columns with last year's line, a sales
// funnel and a histogram. The markup is accessible (role="img", a <title>
// and a <desc> that states the data in words, a <title> on every mark) and
// needs neither JavaScript nor a stylesheet: colours are attributes, with
// class names that a page may restyle. Every text is the caller's, already
// in the reader's language and formatted; the package escapes it.
//
// A chart has a natural size (its width and height attributes) and a
// viewBox, so a page can let it shrink on a phone with
// "max-width: 100%; height: auto".
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// SVG is a drawn chart: markup that is safe to place in an HTML page.
type SVG string

// Frame is what every chart carries besides its data.
type Frame struct {
	ID    string // unique on the page: names the title and description for aria-labelledby
	Title string // the chart's accessible name
	Desc  string // a summary in words; when empty, the chart lists its data
	Empty string // shown instead of the chart when there is no data
}

// Tones a mark may take, from the status it shows.
const (
	ToneOK      = "ok"
	ToneWarn    = "warn"
	ToneBad     = "bad"
	ToneNeutral = ""
)

// Colours, from the tokens of the page's stylesheet (static/app.css).
const (
	colourPrimary = "#1f56c7"
	colourOK      = "#17693a"
	colourWarn    = "#b7791f"
	colourBad     = "#b42318"
	colourMuted   = "#566072"
	colourTrack   = "#e3e8ef"
	colourGrid    = "#d8dde5"
	colourText    = "#1a2230"
	colourLast    = "#8d97a7"
)

func toneColour(tone string) string {
	switch tone {
	case ToneOK:
		return colourOK
	case ToneWarn:
		return colourWarn
	case ToneBad:
		return colourBad
	}
	return colourPrimary
}

// canvas collects the markup of one chart.
type canvas struct {
	b    strings.Builder
	w, h float64
}

func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most one decimal.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

// open starts the svg element with its title and description.
func (c *canvas) open(f Frame, desc string) {
	if f.Desc != "" {
		desc = f.Desc
	}
	c.printf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" width="%s" height="%s" viewBox="0 0 %s %s" aria-labelledby="%s-title %s-desc" font-size="12" font-family="inherit">`,
		num(c.w), num(c.h), num(c.w), num(c.h), esc(f.ID), esc(f.ID))
	c.printf(`<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(f.ID), esc(f.Title), esc(f.ID), esc(desc))
}

func (c *canvas) close() SVG {
	c.b.WriteString(`</svg>`)
	return SVG(c.b.String())
}

// rect draws a rectangle with a tooltip.
func (c *canvas) rect(class string, x, y, w, h float64, fill, tip string) {
	c.printf(`<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s" rx="2">`, class, num(x), num(y), num(max(w, 0)), num(max(h, 0)), fill)
	if tip != "" {
		c.printf(`<title>%s</title>`, esc(tip))
	}
	c.b.WriteString(`</rect>`)
}

// text writes a label; anchor is start, middle or end.
func (c *canvas) text(class string, x, y float64, anchor, fill, s string) {
	c.printf(`<text class="%s" x="%s" y="%s" text-anchor="%s" fill="%s">%s</text>`, class, num(x), num(y), anchor, fill, esc(s))
}

func (c *canvas) line(class string, x1, y1, x2, y2 float64, stroke string, width float64) {
	c.printf(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`, class, num(x1), num(y1), num(x2), num(y2), stroke, num(width))
}

// link wraps what draw writes in a link when href is set.
func (c *canvas) link(href string, draw func()) {
	if href == "" {
		draw()
		return
	}
	c.printf(`<a href="%s">`, esc(href))
	draw()
	c.b.WriteString(`</a>`)
}

// empty draws the frame with the empty-state text only.
func empty(f Frame, w, h float64) SVG {
	c := &canvas{w: w, h: h}
	c.open(f, f.Empty)
	c.text("chart-empty", w/2, h/2, "middle", colourMuted, f.Empty)
	return c.close()
}

// describe joins the lines of a data description.
func describe(lines []string) string { return strings.Join(lines, "; ") }

// scale maps 0…top onto 0…length; top 0 maps everything to 0.
func scale(v, top, length float64) float64 {
	if top <= 0 || v <= 0 {
		return 0
	}
	return min(v, top) / top * length
}

// niceTop rounds a maximum up to 1, 2, 2.5 or 5 times a power of ten, so
// the grid lines fall on round numbers.
func niceTop(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
