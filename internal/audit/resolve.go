package audit

import (
	"strings"
	"unicode/utf8"

	"github.com/natsaudit/natsaudit/internal/discover"
	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/report"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// remediationSource maps a file's discover kind to the input format a
// rule's fix can be worded for (finding.RemediationSources).
var remediationSource = map[string]string{
	discover.KindNatsConf:   "config",
	discover.KindCompose:    "compose",
	discover.KindEnv:        "env",
	discover.KindKube:       "kubernetes",
	discover.KindHelmValues: "helm",
}

// resolve turns a rule result into a finding: the (ref, path) it names
// becomes a file:line, a target and a fingerprint. refs maps the ref a rule
// names (the input's "servers/3") to the typed reference of the fact
// (model.Inventory.Refs): a ref the inventory does not hold points at
// nothing.
func resolve(eng *engine.Engine, inv *model.Inventory, refs map[string]model.Ref, r engine.Raw, lines *lineCache, a *secret.Analyzer) report.Finding {
	rule, _ := eng.Rule(r.RuleID)
	f := report.Finding{
		RuleID:      r.RuleID,
		Severity:    rule.Severity,
		Category:    rule.Category,
		Title:       rule.Title,
		Message:     a.RedactText(r.Msg),
		Remediation: rule.Remediation,
		Path:        r.Path,
		FixKind:     rule.FixKind,
	}
	if finding.SeverityRank(r.Severity) >= 0 {
		f.Severity = finding.Severity(r.Severity)
	}
	if strings.TrimSpace(r.Remediation) != "" {
		f.Remediation = a.RedactText(r.Remediation)
	}
	if r.Deadline != nil {
		d := *r.Deadline
		d.What = a.RedactText(d.What)
		f.Deadline = &d
	}
	var loc model.Location
	missing := "" // the key the finding is about, when the config lacks it
	ref := refs[r.Ref]
	idx := ref.Index
	switch ref.Kind {
	case model.RefServer:
		if idx < len(inv.Servers) {
			s := inv.Servers[idx]
			f.TargetKind, f.TargetName = "server", s.Name
			loc = lookup(s.Locs, r.Path)
			missing = missingKey(s.Locs, r.Path)
			if !loc.Valid() {
				loc = serverFallback(s, r.Path)
			}
			if chartDefault(s, r.Path) {
				f.Message += " (not set in the values: the nats chart's default)"
			}
			if s.Live != nil && (strings.HasPrefix(r.Path, "live/") || !loc.Valid()) {
				f.Endpoint = s.Live.Endpoint
			}
		}
	case model.RefStream:
		if idx < len(inv.Streams) {
			s := inv.Streams[idx]
			f.TargetKind, f.TargetName = "stream", qualified(s.Account, s.Name)
			loc = lookup(s.Locs, r.Path)
			missing = missingKey(s.Locs, r.Path)
			if !loc.Valid() {
				loc = lookup(s.Locs, "config")
			}
		}
	case model.RefConsumer:
		if idx < len(inv.Consumers) {
			c := inv.Consumers[idx]
			f.TargetKind, f.TargetName = "consumer", qualified(c.Account, c.Stream+"/"+c.Name)
			loc = lookup(c.Locs, r.Path)
			missing = missingKey(c.Locs, r.Path)
			if !loc.Valid() {
				loc = lookup(c.Locs, "config")
			}
		}
	case model.RefLiveAccount:
		if idx < len(inv.LiveAccounts) {
			la := inv.LiveAccounts[idx]
			f.TargetKind, f.TargetName, f.Endpoint = "account", la.Name, la.Endpoint
		}
	case model.RefEnvFile:
		if idx < len(inv.EnvFiles) {
			e := inv.EnvFiles[idx]
			f.TargetKind, f.TargetName = "env file", e.File
			loc = lookup(e.Locs, r.Path)
			if !loc.Valid() {
				loc = model.Location{File: e.File, Line: 1}
			}
		}
	case model.RefCredential:
		if idx < len(inv.Credentials) {
			c := inv.Credentials[idx]
			f.TargetKind, f.TargetName = "file", c.File
			loc = model.Location{File: c.File, Line: max(c.Line, 1)}
		}
	case model.RefFile:
		if idx < len(inv.Files) {
			fl := inv.Files[idx]
			f.TargetKind, f.TargetName = "file", fl.Path
			loc = model.Location{File: fl.Path, Line: max(fl.Line, 1)}
		}
	case model.RefKubeSecret:
		if idx < len(inv.KubeSecrets) {
			ks := inv.KubeSecrets[idx]
			f.TargetKind, f.TargetName = "secret", qualified(ks.Namespace, ks.Name)
			loc = lookup(ks.Locs, r.Path)
			if !loc.Valid() {
				loc = ks.Locs[""]
			}
			if !loc.Valid() {
				loc = model.Location{File: ks.File, Line: 1}
			}
		}
	case model.RefError:
		if idx < len(inv.Errors) {
			e := inv.Errors[idx]
			f.TargetKind, f.TargetName = "file", e.File
			loc = model.Location{File: e.File, Line: max(e.Line, 1), Column: e.Column}
		}
	}
	// Names are values: masked before they become the target and its
	// fingerprint (a short password in a name must not be recoverable
	// from an unkeyed hash either).
	f.TargetName = a.Redact(f.TargetName)
	f.Endpoint = a.Redact(f.Endpoint)
	f.Target = strings.TrimSpace(f.TargetKind + " " + f.TargetName)
	if loc.Valid() {
		// The fix worded for the file's format, unless the rule gave the
		// finding its own.
		if src := remediationSource[lines.kind[loc.File]]; src != "" && strings.TrimSpace(r.Remediation) == "" && rule != nil {
			f.Remediation = rule.RemediationFor(src)
		}
		f.Location = &report.Location{File: loc.File, Line: max(loc.Line, 1), Column: loc.Column}
		f.Snippet = snippet(a, lines, loc.File, max(loc.Line, 1))
		// A missing setting points at the block that should hold it: say
		// what is missing, so that the evidence is not a bare "tls {".
		// Only when the message names that key: a rule's path may point
		// into a block for another reason (JetStream on one server).
		if missing != "" && strings.HasSuffix(strings.TrimSpace(f.Snippet), "{") && strings.Contains(f.Message, missing) {
			f.Snippet = strings.TrimRight(f.Snippet, " \t") + "   ← no " + missing + " here"
		}
		f.FixDiff = fixDiff(a, lines, f)
		if ref.Kind == model.RefError && idx < len(inv.Errors) && inv.Errors[idx].Line == 0 {
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

// snippet is line n of file for quoting, with its secrets masked: by
// structure (RedactSnippet, which also knows a value whose flag ended the
// previous line), the values known to be secrets at that line whatever
// their length, and every remembered secret.
func snippet(a *secret.Analyzer, lines *lineCache, file string, n int) string {
	// Many findings quote the same line (a service's first line, a
	// server's listen line): masked once. The analyzer learns no secret
	// while findings are resolved, so the answer cannot change.
	k := snippetKey{file, n}
	if s, ok := lines.snippets[k]; ok {
		return s
	}
	s := maskedSnippet(a, lines, file, n)
	lines.snippets[k] = s
	return s
}

type snippetKey struct {
	file string
	line int
}

func maskedSnippet(a *secret.Analyzer, lines *lineCache, file string, n int) string {
	// Mask a generous prefix (a minified file's one line can be megabytes,
	// and many findings may quote it), then cut it to what is shown.
	s := secret.RedactSnippet(clip(lines.prev(file, n), maxMasked), clip(lines.line(file, n), maxMasked))
	s = a.Redact(a.RedactAt(file, n, s))
	// Cut after masking, so that a secret is never cut in two halves that
	// no longer match it.
	if len(s) > maxSnippet {
		s = clip(s, maxSnippet) + "…"
	}
	return printable(strings.TrimSpace(s))
}

// maxSnippet bounds a quoted line, in bytes; maxMasked bounds the part of
// it that is masked before cutting.
const (
	maxSnippet = 300
	maxMasked  = 4096
)

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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

// chartDefault reports whether the value a finding names (or, for a missing
// key, the closest value that has a location) is a Helm chart default.
func chartDefault(s *model.Server, path string) bool {
	if len(s.Defaults) == 0 {
		return false
	}
	for p := path; p != ""; {
		if _, ok := s.Locs[p]; ok {
			return s.Defaults[p]
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
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

// missingKey is the first key of path under the closest ancestor that has
// a location, when path itself has none ("config/tls/verify" under a
// located "config/tls" → "verify"); "" when path is located or nothing is.
func missingKey(locs model.Locations, path string) string {
	if l, ok := locs[path]; ok && l.Valid() {
		return ""
	}
	child := path
	for p := path; ; {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return ""
		}
		child, p = p[i+1:], p[:i]
		if l, ok := locs[p]; ok && l.Valid() {
			return printable(child)
		}
	}
}

// serverFallback is where a finding about a server goes when the path has no
// location of its own: the line that would have to change. Deployment facts
// go to the compose service's image; a missing client setting (no
// authorization, no TLS, no port) to the line that opens the client
// listener; anything else missing to the top of the server's config file
// (line 1: the setting is added there, and no other key is to blame). A
// server without a config file goes to its compose service. No map is
// iterated, so the answer is the same on every run.
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
		if clientListenerPaths[path] {
			for _, k := range []string{"config/port", "config/listen", "config/host"} {
				if l := s.Locs[k]; l.Valid() && l.Line > 0 {
					return l
				}
			}
		}
		return model.Location{File: s.ConfigFile, Line: 1}
	}
	if l := lookup(s.Locs, "deployment"); l.Valid() {
		return l
	}
	return model.Location{}
}

// clientListenerPaths are the settings of the client listener that are
// absent when a rule names them: what is missing belongs to the listener.
var clientListenerPaths = map[string]bool{
	"config/authorization": true,
	"config/tls":           true,
	"config/port":          true,
	"config/allow_non_tls": true,
	"config/no_auth_user":  true,
}

// lineCache returns lines of scanned files, reading each file once.
type lineCache struct {
	kind  map[string]string // discover kind of each file the walk read
	data  map[string][]byte
	split map[string][]string
	abs   map[string]string
	// snippets are the masked snippets already built (see snippet).
	snippets map[snippetKey]string
}

func newLineCache(d *discover.Result) *lineCache {
	c := &lineCache{kind: map[string]string{}, data: map[string][]byte{}, split: map[string][]string{}, abs: map[string]string{}, snippets: map[snippetKey]string{}}
	for _, f := range d.Files {
		c.data[f.Rel] = f.Data
		c.kind[f.Rel] = f.Kind
	}
	for rel, abs := range d.All {
		c.abs[rel] = abs
	}
	return c
}

// prev returns the closest line before n that holds something other than
// blanks or a comment: the line a YAML block list item continues.
func (c *lineCache) prev(file string, n int) string {
	for i := n - 1; i >= 1 && i >= n-20; i-- {
		l := strings.TrimSpace(c.line(file, i))
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
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
	return ls[n-1]
}

// count is the number of lines of file: a final newline ends the last
// line, it does not start another.
func (c *lineCache) count(file string) int {
	c.line(file, 1)
	ls := c.split[file]
	if len(ls) > 0 && ls[len(ls)-1] == "" {
		return len(ls) - 1
	}
	return len(ls)
}

// terminated reports whether line n of file ends with a newline (a diff
// of a last line without one would need a "\ No newline" marker).
func (c *lineCache) terminated(file string, n int) bool {
	c.line(file, 1)
	return n >= 1 && n < len(c.split[file])
}
