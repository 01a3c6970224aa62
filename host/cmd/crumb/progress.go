package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress reports long work: a progress bar on a terminal, plain lines at
// every tenth otherwise (logs, CI). It returns the report function and a
// function to call when done.
func progress(w io.Writer, label string) (report func(done, total int), finish func()) {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		var bar *progressbar.ProgressBar
		return func(done, total int) {
				if bar == nil {
					bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(label),
						progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
				}
				_ = bar.Set(done)
			}, func() {
				if bar != nil {
					_ = bar.Finish()
				}
			}
	}
	last := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		tenth := done * 10 / total
		if tenth != last {
			last = tenth
			fmt.Fprintf(w, "%s: %d%% (%d/%d)\n", label, tenth*10, done, total)
		}
	}, func() {}
}
