// Package render draws a tools.Chart on the server, as SVG for the web UI
// (inlined into the page) and as PNG for Slack (uploaded as a file).
//
// Both formats come from one layout: the chart is first laid out into a
// list of shapes and text in logical pixels, measured with the embedded
// NanumSquare font, and the list is then written out as SVG elements or
// rasterised with golang.org/x/image/vector and golang.org/x/image/font.
// The PNG therefore needs no system font and no network: Hangul labels
// (강남점, 크루아상, 예상 폐기율) render the same on a laptop, in CI and in a
// scratch container. The SVG names a font stack that covers Korean and lets
// the browser pick.
//
// Layout rules, chosen so a chart stays readable whatever a tool sends:
//
//   - Bar charts draw vertical columns when every label fits under its
//     column; otherwise they switch to horizontal bars, with the labels in a
//     column on the left (truncated with "…" past 30% of the width) and the
//     image growing taller so each row keeps at least 18 px. So 40 items
//     with long Korean names become a tall, readable ranked list instead of
//     rotated or clipped text.
//   - Several series in a bar chart are drawn as grouped bars.
//   - Chart.Threshold is a dashed line in the warning colour with its value
//     written beside it ("12%"), and a legend entry. A bar whose value is
//     above the threshold is filled in the warning colour (one series) or
//     outlined in it (several series, so each keeps its series colour).
//   - Line charts draw every series with a legend. A pair of series named
//     "X (low)" and "X (high)" (or "X (하한)" and "X (상한)") is drawn as a
//     shaded band in X's colour instead of two lines: the interval of a
//     forecast. Line charts thin their x labels to every k-th when they
//     would collide.
//   - The unit is appended to tick and value labels when it is short
//     ("12%", "30개", "40 pcs"); a longer unit is written once above the
//     value axis. Numbers from 100,000 up are shortened with 만 and 억 in
//     Korean (150만원) and K, M, B in English.
package render
