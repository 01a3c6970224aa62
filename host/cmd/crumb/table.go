package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"github.com/crumb-dev/crumb/tools"
)

// maxTableRows is how many rows a terminal table shows before eliding.
const maxTableRows = 25

// printTable writes t with columns aligned by display width, so that Korean
// (two cells a character) lines up with Latin text.
func printTable(w io.Writer, t tools.Table) {
	if t.Title != "" {
		fmt.Fprintln(w, t.Title)
	}
	rows := t.Rows
	elided := 0
	if len(rows) > maxTableRows {
		elided = len(rows) - maxTableRows
		rows = rows[:maxTableRows]
	}
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, t.Columns)
	for _, r := range rows {
		line := make([]string, len(r))
		for i, v := range r {
			line[i] = cell(v)
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(t.Columns))
	for _, line := range cells {
		for i, c := range line {
			if i < len(widths) {
				widths[i] = max(widths[i], displayWidth(c))
			}
		}
	}
	for n, line := range cells {
		var b strings.Builder
		for i, c := range line {
			if i >= len(widths) {
				break
			}
			b.WriteString(c)
			if i < len(line)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		if n == 0 {
			total := 0
			for _, wd := range widths {
				total += wd + 2
			}
			fmt.Fprintln(w, strings.Repeat("─", max(total-2, 0)))
		}
	}
	if elided > 0 {
		fmt.Fprintf(w, "… %d more rows (use --json for all)\n", elided)
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// cell formats a table value: floats in plain decimal (2519361, not
// 2.519361e+06), everything else as fmt prints it.
func cell(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
