package chart

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
)

// wellFormed parses the markup as XML and returns its elements by name.
func wellFormed(t *testing.T, s SVG) map[string][]xml.StartElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(s)))
	out := map[string][]xml.StartElement{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		if el, ok := tok.(xml.StartElement); ok {
			out[el.Name.Local] = append(out[el.Name.Local], el)
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// withClass keeps the elements whose class list holds class.
func withClass(els []xml.StartElement, class string) []xml.StartElement {
	var out []xml.StartElement
	for _, el := range els {
		for _, c := range strings.Fields(attr(el, "class")) {
			if c == class {
				out = append(out, el)
			}
		}
	}
	return out
}

func accessible(t *testing.T, s SVG, id, title string) {
	t.Helper()
	els := wellFormed(t, s)
	svg := els["svg"][0]
	if attr(svg, "role") != "img" || attr(svg, "aria-labelledby") != id+"-title "+id+"-desc" {
		t.Errorf("svg lacks role or labels: %v", svg.Attr)
	}
	if !strings.Contains(string(s), `<title id="`+id+`-title">`+title+`</title>`) {
		t.Errorf("no title %q in %s", title, s)
	}
	if len(els["desc"]) != 1 {
		t.Errorf("no description")
	}
}

func TestBars_GeometryFollowsTheValues(t *testing.T) {
	c := Bars{Frame: Frame{ID: "b", Title: "Revenue vs target"}, Rows: []BarRow{
		{Label: "East", Href: "/?org_unit_id=2", Actual: 50, Target: 100, Text: "50 / 100", Tone: ToneBad},
		{Label: "West", Actual: 200, Target: 100, Text: "200 / 100", Tone: ToneOK},
	}}
	s := c.SVG()
	accessible(t, s, "b", "Revenue vs target")
	els := wellFormed(t, s)
	bars, tracks, marks := withClass(els["rect"], "chart-bar"), withClass(els["rect"], "chart-track"), withClass(els["line"], "chart-target")
	if len(bars) != 2 || len(tracks) != 2 || len(marks) != 2 {
		t.Fatalf("bars %d tracks %d marks %d, want 2 each", len(bars), len(tracks), len(marks))
	}
	// The largest value (200) spans the width less the padding: 384.
	want := map[string]string{"bar0": "96", "track0": "192", "bar1": "384", "track1": "192", "mark0": "200", "fill1": colourOK, "fill0": colourBad}
	got := map[string]string{"bar0": attr(bars[0], "width"), "track0": attr(tracks[0], "width"), "bar1": attr(bars[1], "width"),
		"track1": attr(tracks[1], "width"), "mark0": attr(marks[0], "x1"), "fill1": attr(bars[1], "fill"), "fill0": attr(bars[0], "fill")}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if a := els["a"]; len(a) != 1 || attr(a[0], "href") != "/?org_unit_id=2" {
		t.Errorf("links: %v", a)
	}
	if hit := withClass(els["rect"], "chart-hit"); len(hit) != 1 || attr(hit[0], "width") != "400" || attr(hit[0], "height") != "44" {
		t.Errorf("a linked row is not clickable across its width: %v", hit)
	}
	if attr(els["svg"][0], "viewBox") != "0 0 400 96" {
		t.Errorf("viewBox %s", attr(els["svg"][0], "viewBox"))
	}
	if !strings.Contains(string(s), "East: 50 / 100; West: 200 / 100") {
		t.Errorf("description does not state the data")
	}
}

func TestColumns_GridAndMarksFollowTheValues(t *testing.T) {
	c := Columns{Frame: Frame{ID: "t", Title: "Won revenue by month"}, Categories: []string{"1", "2"},
		Series: []Series{
			{Name: "2026", Values: []float64{80, 40}, Texts: []string{"80", "40"}},
			{Name: "2025", Values: []float64{20, 60}, Texts: []string{"20", "60"}, Line: true},
		},
		Tick: func(v float64) string { return "¥" + num(v) },
	}
	s := c.SVG()
	accessible(t, s, "t", "Won revenue by month")
	els := wellFormed(t, s)
	cols := withClass(els["rect"], "chart-col")
	if len(cols) != 2 {
		t.Fatalf("%d columns, want 2", len(cols))
	}
	// The top of the grid is 100 (80 rounded up); the plot is 204 high from y 236 up.
	if y, h := attr(cols[0], "y"), attr(cols[0], "height"); y != "72.8" || h != "163.2" {
		t.Errorf("first column y %s height %s, want 72.8 and 163.2", y, h)
	}
	if ticks := withClass(els["text"], "chart-tick"); len(ticks) != 5 {
		t.Errorf("%d grid labels, want 5", len(ticks))
	}
	if !strings.Contains(string(s), ">¥100</text>") || !strings.Contains(string(s), ">¥50</text>") {
		t.Errorf("grid labels not from Tick")
	}
	line := els["polyline"]
	if len(line) != 1 || attr(line[0], "points") != "147,195.2 337,113.6" {
		t.Errorf("last year's line: %v", line)
	}
	if len(els["circle"]) != 2 {
		t.Errorf("%d points, want 2", len(els["circle"]))
	}
}

func TestFunnel_WidthsFollowTheCounts(t *testing.T) {
	c := Funnel{Frame: Frame{ID: "f", Title: "Funnel"}, Stages: []Stage{
		{Label: "Lead", Count: 100, CountText: "100"},
		{Label: "Won", Count: 25, CountText: "25", Conversion: "25.0%", Tone: ToneOK},
	}}
	s := c.SVG()
	accessible(t, s, "f", "Funnel")
	stages := withClass(wellFormed(t, s)["rect"], "chart-stage")
	if len(stages) != 2 || attr(stages[0], "width") != "190" || attr(stages[1], "width") != "47.5" {
		t.Fatalf("stage widths: %v", stages)
	}
	// Both are centred on the middle of the bar area (110 + 190/2 = 205).
	if attr(stages[0], "x") != "110" || attr(stages[1], "x") != "181.3" {
		t.Errorf("stage x: %s %s", attr(stages[0], "x"), attr(stages[1], "x"))
	}
	if !strings.Contains(string(s), "25 · 25.0%") {
		t.Errorf("conversion not written")
	}
}

func TestHistogram_HeightsFollowTheCounts(t *testing.T) {
	c := Histogram{Frame: Frame{ID: "h", Title: "Reps by attainment"}, Bins: []Bin{
		{Label: "<50%", Count: 1}, {Label: "50–80%", Count: 0}, {Label: "≥120%", Count: 4, Tone: ToneOK},
	}}
	s := c.SVG()
	accessible(t, s, "h", "Reps by attainment")
	bins := withClass(wellFormed(t, s)["rect"], "chart-bin")
	if len(bins) != 3 {
		t.Fatalf("%d bins", len(bins))
	}
	// The plot is 156 high; the fullest bin takes all of it.
	for i, want := range []string{"39", "0", "156"} {
		if got := attr(bins[i], "height"); got != want {
			t.Errorf("bin %d height %s, want %s", i, got, want)
		}
	}
	if !strings.Contains(string(s), "&lt;50%: 1") {
		t.Errorf("labels not escaped in the description")
	}
}

func TestCharts_EscapeEveryText(t *testing.T) {
	evil := `<script>alert("x")</script> & 'q'`
	f := Frame{ID: `id"x`, Title: evil, Empty: evil}
	charts := map[string]SVG{
		"bars":    Bars{Frame: f, Rows: []BarRow{{Label: evil, Href: `/x?a=1&b="2"`, Actual: 1, Target: 2, Text: evil}}}.SVG(),
		"columns": Columns{Frame: f, Categories: []string{evil}, Series: []Series{{Name: evil, Values: []float64{1}, Texts: []string{evil}}, {Name: evil, Line: true, Texts: []string{evil}}}}.SVG(),
		"funnel":  Funnel{Frame: f, Stages: []Stage{{Label: evil, Count: 1, CountText: evil, Conversion: evil}}}.SVG(),
		"hist":    Histogram{Frame: f, Bins: []Bin{{Label: evil, Count: 1}}}.SVG(),
	}
	for name, s := range charts {
		if strings.Contains(string(s), "<script") || strings.Contains(string(s), `"x")`) {
			t.Errorf("%s: text not escaped:\n%s", name, s)
		}
		wellFormed(t, s)
	}
	if !strings.Contains(string(charts["bars"]), `href="/x?a=1&amp;b=&#34;2&#34;"`) {
		t.Errorf("link not escaped: %s", charts["bars"])
	}
}

func TestCharts_EmptyDataShowsTheEmptyText(t *testing.T) {
	f := Frame{ID: "e", Title: "Nothing", Empty: "No data yet"}
	for name, s := range map[string]SVG{
		"bars":          Bars{Frame: f}.SVG(),
		"columns":       Columns{Frame: f}.SVG(),
		"columns-nocat": Columns{Frame: f, Series: []Series{{Name: "x"}}}.SVG(),
		"funnel":        Funnel{Frame: f}.SVG(),
		"hist":          Histogram{Frame: f, Bins: []Bin{{Label: "a"}}}.SVG(),
	} {
		accessible(t, s, "e", "Nothing")
		if !strings.Contains(string(s), `class="chart-empty"`) || !strings.Contains(string(s), ">No data yet</text>") {
			t.Errorf("%s: no empty state: %s", name, s)
		}
		if regexp.MustCompile(`<rect|<polyline`).MatchString(string(s)) {
			t.Errorf("%s: draws marks without data", name)
		}
	}
}

func TestNiceTop(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 7: 10, 80: 100, 120: 200, 240: 250, 1234567: 2000000} {
		if got := niceTop(in); got != want {
			t.Errorf("niceTop(%v) = %v, want %v", in, got, want)
		}
	}
}
