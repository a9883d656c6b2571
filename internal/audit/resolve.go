package audit

import (
	"strconv"
	"strings"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// resolve turns a rule result into a finding: the (ref, path) it names
// becomes a file:line, a target and a fingerprint.
func resolve(eng *engine.Engine, inv *model.Inventory, r engine.Raw, lines *lineCache, a *secret.Analyzer) report.Finding {
	rule, _ := eng.Rule(r.RuleID)
	f := report.Finding{
		RuleID:      r.RuleID,
		Severity:    rule.Severity,
		Category:    rule.Category,
		Title:       rule.Title,
		Message:     a.Redact(r.Msg),
		Remediation: rule.Remediation,
		Path:        r.Path,
	}
	if engine.SeverityRank(r.Severity) >= 0 {
		f.Severity = r.Severity
	}
	var loc model.Location
	kind, idx := splitRef(r.Ref)
	switch kind {
	case "servers":
		if idx < len(inv.Servers) {
			s := inv.Servers[idx]
			f.TargetKind, f.TargetName = "server", s.Name
			loc = lookup(s.Locs, r.Path)
			if !loc.Valid() {
				loc = serverFallback(s, r.Path)
			}
			if s.Live != nil && (strings.HasPrefix(r.Path, "live/") || !loc.Valid()) {
				f.Endpoint = s.Live.Endpoint
			}
		}
	case "streams":
		if idx < len(inv.Streams) {
			s := inv.Streams[idx]
			f.TargetKind, f.TargetName = "stream", qualified(s.Account, s.Name)
			loc = lookup(s.Locs, r.Path)
			if !loc.Valid() {
				loc = lookup(s.Locs, "config")
			}
		}
	case "consumers":
		if idx < len(inv.Consumers) {
			c := inv.Consumers[idx]
			f.TargetKind, f.TargetName = "consumer", qualified(c.Account, c.Stream+"/"+c.Name)
			loc = lookup(c.Locs, r.Path)
			if !loc.Valid() {
				loc = lookup(c.Locs, "config")
			}
		}
	case "env_files":
		if idx < len(inv.EnvFiles) {
			e := inv.EnvFiles[idx]
			f.TargetKind, f.TargetName = "env file", e.File
			loc = lookup(e.Locs, r.Path)
			if !loc.Valid() {
				loc = model.Location{File: e.File, Line: 1}
			}
		}
	case "files":
		if idx < len(inv.Files) {
			fl := inv.Files[idx]
			f.TargetKind, f.TargetName = "file", fl.Path
			loc = model.Location{File: fl.Path, Line: max(fl.Line, 1)}
		}
	case "errors":
		if idx < len(inv.Errors) {
			e := inv.Errors[idx]
			f.TargetKind, f.TargetName = "file", e.File
			loc = model.Location{File: e.File, Line: max(e.Line, 1), Column: e.Column}
		}
	}
	f.Target = strings.TrimSpace(f.TargetKind + " " + f.TargetName)
	if loc.Valid() {
		f.Location = &report.Location{File: loc.File, Line: max(loc.Line, 1), Column: loc.Column}
		f.Snippet = a.Redact(secret.RedactLine(printable(strings.TrimSpace(lines.line(loc.File, loc.Line)))))
		if kind == "errors" && idx < len(inv.Errors) && inv.Errors[idx].Line == 0 {
			f.Snippet = "" // an error about the whole file (binary, too deep): line 1 is no evidence
		}
	}
	file := ""
	if f.Location != nil {
		file = f.Location.File
	}
	f.Fingerprint = Fingerprint(f.RuleID, file, f.Target, f.Path)
	return f
}

// printable drops control characters and invalid UTF-8 from a snippet: a
// binary file's "line" must not reach a terminal or a SARIF viewer.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

func qualified(account, name string) string {
	if account == "" || account == "$G" {
		return name
	}
	return account + "/" + name
}

func splitRef(ref string) (string, int) {
	i := strings.LastIndexByte(ref, '/')
	if i < 0 {
		return ref, -1
	}
	n, err := strconv.Atoi(ref[i+1:])
	if err != nil {
		return ref, -1
	}
	return ref[:i], n
}

// lookup finds the location of path, or of its closest ancestor that has one
// (a missing key points at the block that should hold it).
func lookup(locs model.Locations, path string) model.Location {
	for p := path; p != ""; {
		if l, ok := locs[p]; ok && l.Valid() {
			return l
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return model.Location{}
}

// serverFallback is where a finding about a server goes when the path has no
// location of its own: the compose service for deployment facts, else the
// config file, else the compose service.
func serverFallback(s *model.Server, path string) model.Location {
	if strings.HasPrefix(path, "live/") {
		return model.Location{}
	}
	if strings.HasPrefix(path, "deployment") || strings.HasPrefix(path, "version") {
		if l := lookup(s.Locs, "deployment/image"); l.Valid() {
			return l
		}
	}
	if s.ConfigFile != "" {
		// The first setting of the main config file: line 1 is usually a
		// header comment, which makes poor evidence.
		first := model.Location{File: s.ConfigFile, Line: 1}
		for _, l := range s.Locs {
			if l.File == s.ConfigFile && l.Line > 0 && (first.Line == 1 || l.Line < first.Line) {
				first = l
			}
		}
		return first
	}
	if l := lookup(s.Locs, "deployment"); l.Valid() {
		return l
	}
	return model.Location{}
}

// lineCache returns lines of scanned files, reading each file once.
type lineCache struct {
	data  map[string][]byte
	split map[string][]string
	abs   map[string]string
}

func newLineCache(d *discover.Result) *lineCache {
	c := &lineCache{data: map[string][]byte{}, split: map[string][]string{}, abs: map[string]string{}}
	for _, f := range d.Files {
		c.data[f.Rel] = f.Data
	}
	for rel, abs := range d.All {
		c.abs[rel] = abs
	}
	return c
}

func (c *lineCache) line(file string, n int) string {
	ls, ok := c.split[file]
	if !ok {
		data, ok := c.data[file]
		if !ok {
			// A file of the tree that is not an input (an included
			// fragment): discover checked its real path (inside the root,
			// not in .git); it is read as such, never through a link.
			if real, ok := c.abs[file]; ok {
				data, _ = discover.ReadRegular(real, discover.DefaultMaxSize)
			}
		}
		ls = strings.Split(string(data), "\n")
		c.split[file] = ls
	}
	if n < 1 || n > len(ls) {
		return ""
	}
	l := ls[n-1]
	if len(l) > 300 {
		l = l[:300] + "…"
	}
	return l
}
