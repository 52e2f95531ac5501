// Package charts draws the public site's charts as inline SVG on the
// server: a line with an interval band, bars, a histogram and a progress bar
// from baseline to target. No script runs in the browser.
//
// Every chart is an <svg role="img"> labelled by its own <title> and <desc>,
// with axis titles and tick labels; pages put a table of the same numbers
// next to it. The package knows no language: callers pass translated text
// and a formatter for values. Colours are SVG presentation attributes, not
// style attributes, so the site's CSP (style-src 'self') allows them.
package charts

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Canvas size (viewBox units) and the plot margins inside it.
const (
	width     = 640
	height    = 260
	padLeft   = 64
	padRight  = 16
	padTop    = 16
	padBottom = 56
	plotW     = width - padLeft - padRight
	plotH     = height - padTop - padBottom
)

// Colours: ink and accent meet 4.5:1 on white; the band is a light tint.
const (
	colInk    = "#1b1f24"
	colMuted  = "#57606a"
	colGrid   = "#d0d7de"
	colAccent = "#0b5cad"
	colBand   = "#c6dcf3"
	colTarget = "#9a3412"
	colTrack  = "#e6ebf1"
)

// Text common to every chart.
type Text struct {
	ID     string // unique on the page: prefixes the title/desc ids
	Title  string
	Desc   string
	XLabel string
	YLabel string
}

// Formatter renders a value for a tick or a label (e.g. "45%" or "3,42").
type Formatter func(float64) string

// Point is one x position of a line chart. Value is drawn only when Known;
// the band [Low, High] whenever HasBand (an interval exists even below the
// minimum n, and its width is the honest picture).
type Point struct {
	Label     string
	Value     float64
	Known     bool
	Low, High float64
	HasBand   bool
}

// Line is a line with an interval band, e.g. a monthly on-time rate and its
// 95 % Wilson interval. The y axis runs from 0 to YMax.
type Line struct {
	Text
	Points []Point
	YMax   float64
	Format Formatter
	Target *float64 // optional dashed reference line
	// TargetLabel names the reference line.
	TargetLabel string
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
	Known bool
}

// Bars is a bar chart whose y axis runs from 0 to YMax.
type Bars struct {
	Text
	Bars   []Bar
	YMax   float64
	Format Formatter
}

// Bin is one bar of a histogram.
type Bin struct {
	Label string
	Count int
}

// Histogram draws counts per bin; Marker (an index into Bins, -1 for none)
// draws a vertical line after that bin, e.g. the legal limit.
type Histogram struct {
	Text
	Bins        []Bin
	Marker      int
	MarkerLabel string
	Format      Formatter // counts
}

// Progress is a horizontal bar from Baseline to Target with Now marked,
// on an axis from Min to Max.
type Progress struct {
	Text
	Min, Max              float64
	Baseline, Now, Target float64
	NowKnown              bool
	BaselineLabel         string
	NowLabel              string
	TargetLabel           string
	Format                Formatter
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string { return template.HTMLEscapeString(s) }

// open writes the <svg> element with its accessible name and description.
func open(b *strings.Builder, t Text, h int) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		width, h, esc(t.ID), esc(t.ID))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(t.ID), esc(t.Title), esc(t.ID), esc(t.Desc))
}

func text(b *strings.Builder, x, y float64, anchor, fill, size, s string) {
	fmt.Fprintf(b, `<text x="%s" y="%s" text-anchor="%s" fill="%s" font-size="%s">%s</text>`, f1(x), f1(y), anchor, fill, size, esc(s))
}

// axes draws the y grid with ticks from 0 to ymax, the x axis line and the
// axis titles.
func axes(b *strings.Builder, t Text, ymax float64, ticks int, format Formatter) {
	for i := 0; i <= ticks; i++ {
		v := ymax * float64(i) / float64(ticks)
		y := yOf(v, ymax)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, padLeft, width-padRight, f1(y), f1(y), colGrid)
		text(b, padLeft-6, y+4, "end", colInk, "12", format(v))
	}
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="1"/>`, padLeft, width-padRight, padTop+plotH, padTop+plotH, colInk)
	if t.XLabel != "" {
		text(b, padLeft+plotW/2, height-6, "middle", colInk, "13", t.XLabel)
	}
	if t.YLabel != "" {
		fmt.Fprintf(b, `<text x="14" y="%s" text-anchor="middle" fill="%s" font-size="13" transform="rotate(-90 14 %s)">%s</text>`,
			f1(padTop+plotH/2), colInk, f1(padTop+plotH/2), esc(t.YLabel))
	}
}

func yOf(v, ymax float64) float64 {
	if ymax <= 0 {
		ymax = 1
	}
	v = math.Max(0, math.Min(v, ymax))
	return padTop + plotH - v/ymax*plotH
}

// xLabels writes the labels of n slots, skipping some so they do not
// overlap (at most about 12 shown).
func xLabels(b *strings.Builder, labels []string, xOf func(i int) float64) {
	step := max(1, (len(labels)+11)/12)
	for i, l := range labels {
		if i%step != 0 && i != len(labels)-1 {
			continue
		}
		text(b, xOf(i), padTop+plotH+18, "middle", colInk, "12", l)
	}
}

// SVG renders the line chart.
func (l Line) SVG() template.HTML {
	var b strings.Builder
	open(&b, l.Text, height)
	axes(&b, l.Text, l.YMax, 4, l.Format)
	n := len(l.Points)
	xOf := func(i int) float64 {
		if n <= 1 {
			return padLeft + plotW/2
		}
		return padLeft + 12 + float64(i)*float64(plotW-24)/float64(n-1)
	}
	// the band: one polygon per run of consecutive points that have one
	for _, run := range runs(n, func(i int) bool { return l.Points[i].HasBand }) {
		var pts []string
		for i := run[0]; i <= run[1]; i++ {
			pts = append(pts, f1(xOf(i))+","+f1(yOf(l.Points[i].High, l.YMax)))
		}
		for i := run[1]; i >= run[0]; i-- {
			pts = append(pts, f1(xOf(i))+","+f1(yOf(l.Points[i].Low, l.YMax)))
		}
		if run[0] == run[1] { // a lone point: a short vertical bar
			x := xOf(run[0])
			fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="8"/>`, f1(x), f1(x),
				f1(yOf(l.Points[run[0]].High, l.YMax)), f1(yOf(l.Points[run[0]].Low, l.YMax)), colBand)
			continue
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="%s"/>`, strings.Join(pts, " "), colBand)
	}
	if l.Target != nil {
		y := yOf(*l.Target, l.YMax)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`, padLeft, width-padRight, f1(y), f1(y), colTarget)
		if l.TargetLabel != "" {
			text(&b, width-padRight-4, y-5, "end", colTarget, "12", l.TargetLabel)
		}
	}
	for _, run := range runs(n, func(i int) bool { return l.Points[i].Known }) {
		var pts []string
		for i := run[0]; i <= run[1]; i++ {
			pts = append(pts, f1(xOf(i))+","+f1(yOf(l.Points[i].Value, l.YMax)))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"/>`, strings.Join(pts, " "), colAccent)
		}
	}
	for i, p := range l.Points {
		if p.Known {
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`, f1(xOf(i)), f1(yOf(p.Value, l.YMax)), colAccent)
		}
	}
	labels := make([]string, n)
	for i, p := range l.Points {
		labels[i] = p.Label
	}
	xLabels(&b, labels, xOf)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// runs returns the [first, last] index ranges where ok holds.
func runs(n int, ok func(i int) bool) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= n; i++ {
		if i < n && ok(i) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i - 1})
			start = -1
		}
	}
	return out
}

// slots lays n bars side by side: the x centre of bar i and the bar width.
func slots(n int) (func(i int) float64, float64) {
	if n == 0 {
		return func(int) float64 { return padLeft }, 0
	}
	slot := float64(plotW) / float64(n)
	return func(i int) float64 { return padLeft + slot*(float64(i)+0.5) }, math.Max(1, slot*0.7)
}

// SVG renders the bar chart; each bar's value is written above it.
func (c Bars) SVG() template.HTML {
	var b strings.Builder
	open(&b, c.Text, height)
	axes(&b, c.Text, c.YMax, 5, c.Format)
	xOf, w := slots(len(c.Bars))
	labels := make([]string, len(c.Bars))
	for i, bar := range c.Bars {
		labels[i] = bar.Label
		if !bar.Known {
			text(&b, xOf(i), padTop+plotH-6, "middle", colMuted, "12", "–")
			continue
		}
		y := yOf(bar.Value, c.YMax)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, f1(xOf(i)-w/2), f1(y), f1(w), f1(padTop+plotH-y), colAccent)
		text(&b, xOf(i), y-5, "middle", colInk, "12", c.Format(bar.Value))
	}
	xLabels(&b, labels, xOf)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceMax rounds a positive count up to 1, 2 or 5 times a power of ten, so
// ticks fall on round numbers.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// SVG renders the histogram; bars touch, as bins of a distribution do.
func (h Histogram) SVG() template.HTML {
	var b strings.Builder
	open(&b, h.Text, height)
	peak := 0
	for _, bin := range h.Bins {
		peak = max(peak, bin.Count)
	}
	ymax := niceMax(float64(peak))
	ticks := 5
	if ymax < 5 {
		ticks = int(ymax)
	}
	axes(&b, h.Text, ymax, ticks, h.Format)
	n := len(h.Bins)
	slot := float64(plotW) / float64(max(n, 1))
	labels := make([]string, n)
	for i, bin := range h.Bins {
		labels[i] = bin.Label
		if bin.Count == 0 {
			continue
		}
		y := yOf(float64(bin.Count), ymax)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#ffffff" stroke-width="1"/>`,
			f1(padLeft+slot*float64(i)), f1(y), f1(slot), f1(padTop+plotH-y), colAccent)
	}
	if h.Marker >= 0 && h.Marker < n {
		x := padLeft + slot*float64(h.Marker+1)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%d" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`, f1(x), f1(x), padTop, padTop+plotH, colTarget)
		if h.MarkerLabel != "" {
			anchor, dx := "start", 4.0
			if x > padLeft+plotW*0.7 {
				anchor, dx = "end", -4
			}
			text(&b, x+dx, padTop+12, anchor, colTarget, "12", h.MarkerLabel)
		}
	}
	xLabels(&b, labels, func(i int) float64 { return padLeft + slot*(float64(i)+0.5) })
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// progressHeight is the height of the progress chart: one track and labels.
const progressHeight = 120

// SVG renders the progress bar: the track from baseline to target, the part
// covered so far filled, and a labelled marker at baseline, now and target.
func (p Progress) SVG() template.HTML {
	var b strings.Builder
	open(&b, p.Text, progressHeight)
	lo, hi := p.Min, p.Max
	if hi <= lo {
		hi = lo + 1
	}
	xOf := func(v float64) float64 {
		v = math.Max(lo, math.Min(v, hi))
		return padLeft + (v-lo)/(hi-lo)*plotW
	}
	const trackY, trackH = 40.0, 16.0 // below the two label rows
	fmt.Fprintf(&b, `<rect x="%d" y="%s" width="%d" height="%s" fill="%s"/>`, padLeft, f1(trackY), plotW, f1(trackH), colTrack)
	x0, x1 := math.Min(xOf(p.Baseline), xOf(p.Target)), math.Max(xOf(p.Baseline), xOf(p.Target))
	fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`,
		f1(x0), f1(trackY), f1(math.Max(x1-x0, 1)), f1(trackH), colTarget)
	if p.NowKnown {
		a, z := math.Min(xOf(p.Baseline), xOf(p.Now)), math.Max(xOf(p.Baseline), xOf(p.Now))
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, f1(a), f1(trackY), f1(math.Max(z-a, 2)), f1(trackH), colAccent)
	}
	// axis: the scale's ends
	text(&b, padLeft, trackY+trackH+40, "start", colMuted, "12", p.Format(lo))
	text(&b, padLeft+plotW, trackY+trackH+40, "end", colMuted, "12", p.Format(hi))
	// labels on separate rows (target, now above; baseline below) so close
	// values never overprint each other
	marker := func(v float64, label string, ty float64, colour string) {
		x := xOf(v)
		y1, y2 := trackY-6, trackY+trackH+6
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="2"/>`, f1(x), f1(x), f1(y1), f1(y2), colour)
		anchor := "middle"
		switch {
		case x < padLeft+60:
			anchor = "start"
		case x > padLeft+plotW-60:
			anchor = "end"
		}
		text(&b, x, ty, anchor, colour, "12", label+" "+p.Format(v))
	}
	marker(p.Baseline, p.BaselineLabel, trackY+trackH+20, colInk)
	marker(p.Target, p.TargetLabel, 14, colTarget)
	if p.NowKnown {
		marker(p.Now, p.NowLabel, 30, colAccent)
	}
	if p.XLabel != "" {
		text(&b, padLeft+plotW/2, progressHeight-4, "middle", colInk, "13", p.XLabel)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
