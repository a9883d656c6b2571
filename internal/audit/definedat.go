package audit

import (
	"path"
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
)

// imageVarRef is a compose image line whose reference takes its tag (or
// all of it) from one variable: image: nats:${NATS_TAG}.
var imageVarRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}?`)

// setDefinedAt records where an image reference that comes from a
// variable is defined: the line of the .env file next to the compose file
// (the file Compose interpolates from) that sets the variable. Several
// services whose image is nats:${NATS_TAG} then have one root cause, the
// .env line, and are shown and scored once (report.RootCause): one change
// fixes them all.
func setDefinedAt(inv *model.Inventory, lines *lineCache, fs []report.Finding) {
	envs := map[string]*model.EnvFile{}
	for _, ef := range inv.EnvFiles {
		envs[ef.File] = ef
	}
	for i := range fs {
		f := &fs[i]
		// Only the findings about the image's version: the variable is
		// its tag, and changing it fixes them; another rule at the same
		// place (the image's default config) needs another change.
		if f.Path != "deployment/image" || !strings.HasPrefix(f.RuleID, "NATS-VER-") || f.Location == nil || f.DefinedAt != nil {
			continue
		}
		ms := imageVarRef.FindAllStringSubmatch(lines.line(f.Location.File, f.Location.Line), -1)
		if len(ms) != 1 {
			continue
		}
		ef := envs[path.Join(path.Dir(f.Location.File), ".env")]
		if ef == nil {
			continue
		}
		if l, ok := ef.Locs["vars/"+ms[0][1]]; ok && l.Valid() && l.Line > 0 {
			f.DefinedAt = &report.Location{File: l.File, Line: l.Line}
		}
	}
}
