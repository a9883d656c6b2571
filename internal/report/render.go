package report

import (
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats of scan and probe.
var Formats = []string{"text", "json"}

// RenderOptions are shared by the formats.
type RenderOptions struct {
	Color bool
}

// Render writes r in the named format.
func Render(format string, w io.Writer, r *Report, opt RenderOptions) error {
	switch format {
	case "text":
		return WriteText(w, r, TextOptions{Color: opt.Color})
	case "json":
		return WriteJSON(w, r)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}
