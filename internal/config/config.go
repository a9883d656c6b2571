// Package config reads .natsaudit.yaml: rule parameter overrides, enabled
// and disabled rules, and exceptions. Decoding is strict: an unknown key, a
// misspelled rule ID or a parameter that does not exist is an error naming
// the file and line, never a setting silently ignored.
package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/safefile"
	"github.com/natsaudit/natsaudit/internal/suppress"
)

// FileNames are looked for at the scanned root, in this order.
var FileNames = []string{".natsaudit.yaml", ".natsaudit.yml"}

// maxSize bounds the file: a config is a few kilobytes.
const maxSize = 1 << 20

// Config is a parsed .natsaudit.yaml.
type Config struct {
	Path   string         // the file as given or found, for error messages
	Name   string         // the file as reports name it (suppression sources, notes)
	Params map[string]any // overrides of rules/data/params.<section>.json
	// Enabled, when not empty, is the only rules evaluated; Disabled are
	// never evaluated.
	Enabled    []RuleRef
	Disabled   []RuleRef
	Exceptions []suppress.Exception
	// Helm lists the Helm releases to map and the values files each is
	// installed with (helm: releases:), when the default layering (each
	// values-*.yaml on top of values.yaml of its directory) is not how the
	// chart is installed.
	Helm []HelmRelease
	// ComposeProjects are the compose files audited as one project each
	// (paths relative to the scanned root, merged in the order given), as
	// the team passes them to docker compose -f.
	ComposeProjects [][]string
	// Owners assign the report's remediation actions to people (owners:
	// a list of {match, owner, due}; match is a rule ID glob or a path
	// glob), first match wins.
	Owners []Owner
	// SHA256 is the hex digest of the file as read, for the report's
	// provenance.
	SHA256 string
	// SeverityOverrides change the severity of rules' findings
	// (severity_overrides: {RULE or glob: severity}).
	SeverityOverrides []suppress.SeverityOverride
	// MinimumSeverity, when set, reports only findings at or above it
	// (minimum_severity; --severity on the command line wins).
	MinimumSeverity string
	// SkipDirs and SkipFiles are skip_dirs and skip_files: doublestar
	// globs with the semantics of --skip-dirs and --skip-files (which add
	// to them), relative to the config file's directory (Rebase).
	SkipDirs, SkipFiles []string

	paramsNode *yaml.Node
	ovLines    []int
	exLines    []int
}

// Owner is one entry of owners:.
type Owner struct {
	Match, Owner, Due string
	Line              int
}

// HelmRelease is one entry of helm: releases:.
type HelmRelease struct {
	Name    string
	Chart   string   // "nats" (the only chart mapped)
	Version string   // chart version, when the repo does not say
	Values  []string // values files in helm -f order, relative to the scanned root
	Line    int
}

// RuleRef is a rule ID and where the file names it.
type RuleRef struct {
	ID   string
	Line int
}

// Find returns the config file at root, or "" when there is none. A link
// or a FIFO named .natsaudit.yaml is found too: reading it (Load with a
// safefile.Root) decides whether it may be read, so that a config that
// cannot be read is an error, never silently ignored.
func Find(root string) string {
	for _, n := range FileNames {
		p := filepath.Join(root, n)
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return ""
}

// ReadFunc reads a file of at most max bytes, refusing what may not be
// read (safefile.Root.ReadFile for a config found in the scanned tree,
// safefile.Guard.ReadFile for one named on the command line).
type ReadFunc func(path string, max int64) ([]byte, error)

// Load reads (with read) and checks the structure of a config file. Errors
// name path; reports name the file display (relative to the scanned root,
// like the other paths of a report).
func Load(path, display string, read ReadFunc) (*Config, error) {
	c, err := load(path, read)
	if err != nil {
		return nil, err
	}
	c.Name = display
	for i := range c.Exceptions {
		c.Exceptions[i].Source = display + strings.TrimPrefix(c.Exceptions[i].Source, path)
	}
	for i := range c.SeverityOverrides {
		c.SeverityOverrides[i].Source = display + strings.TrimPrefix(c.SeverityOverrides[i].Source, path)
	}
	return c, nil
}

func load(path string, read ReadFunc) (*Config, error) {
	data, err := read(path, maxSize)
	if err != nil {
		var tl *safefile.TooLargeError
		if errors.As(err, &tl) {
			return nil, fmt.Errorf("read config %s: larger than %d KiB, not a natsaudit config", path, maxSize>>10)
		}
		return nil, fmt.Errorf("read config %s: %w", path, safefile.CleanErr(err))
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// Parse reads a config from data; name is used in messages.
func Parse(data []byte, name string) (*Config, error) {
	c := &Config{Path: name, Name: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // empty file
		}
		msg := hideQuoted(err.Error())
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", name, m[1], strings.TrimPrefix(msg, m[0]))
		}
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s:%d: a second YAML document: the config is one document", name, extra.Line)
	}
	errs := &errList{file: name}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil
	}
	if root.Kind != yaml.MappingNode {
		errs.add(root.Line, "want a mapping with version, params, enabled, disabled, exceptions")
		return nil, errs.err()
	}
	for _, kv := range pairs(root, errs) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "version":
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				errs.add(v.Line, "version: want 1")
			}
		case "params":
			if v.Kind != yaml.MappingNode {
				if !isNull(v) {
					errs.add(v.Line, "params: want a mapping of sections (tls, streams, ...) to parameters")
				}
				continue
			}
			var p map[string]any
			if err := v.Decode(&p); err != nil {
				errs.add(v.Line, "params: "+hideQuoted(err.Error()))
				continue
			}
			c.Params = jsonNumbers(p).(map[string]any)
			c.paramsNode = v
		case "enabled":
			c.Enabled = ruleList(k.Value, v, errs)
		case "disabled":
			c.Disabled = ruleList(k.Value, v, errs)
		case "exceptions":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				errs.add(v.Line, "exceptions: want a list of {"+exceptionKeys+"}")
				continue
			}
			for _, item := range v.Content {
				if e, ok := exception(item, name, errs); ok {
					c.Exceptions = append(c.Exceptions, e)
					c.exLines = append(c.exLines, item.Line)
				}
			}
		case "helm":
			c.Helm = helmReleases(v, errs)
		case "compose":
			c.ComposeProjects = composeProjects(v, errs)
		case "owners":
			c.Owners = owners(v, errs)
		case "severity_overrides":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				errs.add(v.Line, "severity_overrides: want a mapping of rule IDs (or patterns, NATS-STR-*) to severities")
				continue
			}
			for _, kv := range pairs(v, errs) {
				rk, rv := kv[0], kv[1]
				sev := strings.ToLower(strings.TrimSpace(rv.Value))
				rule := strings.ToUpper(strings.TrimSpace(rk.Value))
				switch {
				case rv.Kind != yaml.ScalarNode || finding.SeverityRank(sev) < 0:
					errs.add(rv.Line, fmt.Sprintf("severity_overrides %s: want one of %s", showBare(rule), strings.Join(finding.SeverityNames(), ", ")))
				case rule == "" || (suppress.IsRuleGlob(rule) && !doublestar.ValidatePattern(rule)):
					errs.add(rk.Line, fmt.Sprintf("severity_overrides: %s is not a rule ID or a valid pattern", show(rk.Value)))
				default:
					c.SeverityOverrides = append(c.SeverityOverrides, suppress.SeverityOverride{Rule: rule, Severity: sev, Source: fmt.Sprintf("%s:%d", name, rk.Line)})
					c.ovLines = append(c.ovLines, rk.Line)
				}
			}
		case "skip_dirs":
			c.SkipDirs = globList(k.Value, v, errs)
		case "skip_files":
			c.SkipFiles = globList(k.Value, v, errs)
		case "minimum_severity":
			sev := strings.ToLower(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || finding.SeverityRank(sev) < 0 {
				errs.add(v.Line, "minimum_severity: want one of "+strings.Join(finding.SeverityNames(), ", "))
				continue
			}
			c.MinimumSeverity = sev
		default:
			errs.add(k.Line, fmt.Sprintf("unknown key %s (want version, params, enabled, disabled, exceptions, severity_overrides, minimum_severity, skip_dirs, skip_files, helm, compose, owners)", show(k.Value)))
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// globList reads skip_dirs/skip_files: a list of doublestar globs (a
// single string is one glob, as a flag given once).
func globList(key string, v *yaml.Node, errs *errList) []string {
	if isNull(v) {
		return nil
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []string
	for _, x := range items {
		g := strings.TrimSpace(x.Value)
		switch {
		case x.Kind != yaml.ScalarNode || g == "":
			errs.add(x.Line, key+": want a list of globs (** allowed; a name without / matches anywhere)")
		case !doublestar.ValidatePattern(g) || strings.HasPrefix(g, "/"):
			errs.add(x.Line, fmt.Sprintf("%s: %s is not a valid glob relative to the config file", key, show(x.Value)))
		default:
			out = append(out, g)
		}
	}
	return out
}

// owners reads owners: [{match: GLOB, owner: NAME, due: DATE}, ...].
func owners(v *yaml.Node, errs *errList) []Owner {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		errs.add(v.Line, "owners: want a list of {match, owner, due}")
		return nil
	}
	var out []Owner
	for _, item := range v.Content {
		if item.Kind != yaml.MappingNode {
			errs.add(item.Line, "owners: want {match, owner, due}")
			continue
		}
		o := Owner{Line: item.Line}
		for _, kv := range pairs(item, errs) {
			k, x := kv[0], kv[1]
			if x.Kind != yaml.ScalarNode {
				errs.add(x.Line, fmt.Sprintf("owners: %s: want a string", show(k.Value)))
				continue
			}
			switch k.Value {
			case "match":
				o.Match = x.Value
			case "owner":
				o.Owner = x.Value
			case "due":
				o.Due = x.Value
			default:
				errs.add(k.Line, fmt.Sprintf("unknown key %s in owners (want match, owner, due)", show(k.Value)))
			}
		}
		if o.Match == "" || o.Owner == "" {
			errs.add(item.Line, "owners: each entry needs match (a rule ID or path glob) and owner")
			continue
		}
		if _, err := path.Match(o.Match, ""); err != nil {
			errs.add(item.Line, fmt.Sprintf("owners: match %s is not a valid glob", show(o.Match)))
			continue
		}
		out = append(out, o)
	}
	return out
}

// composeProjects reads compose: {projects: [[file, file...], ...]}.
func composeProjects(v *yaml.Node, errs *errList) [][]string {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		errs.add(v.Line, "compose: want a mapping with projects")
		return nil
	}
	var out [][]string
	for _, kv := range pairs(v, errs) {
		k, pv := kv[0], kv[1]
		if k.Value != "projects" {
			errs.add(k.Line, fmt.Sprintf("unknown key %s in compose (want projects)", show(k.Value)))
			continue
		}
		if isNull(pv) {
			continue
		}
		if pv.Kind != yaml.SequenceNode {
			errs.add(pv.Line, "compose projects: want a list of lists of compose files, e.g. [[docker-compose.yml, docker-compose.prod.yml]]")
			continue
		}
		for _, proj := range pv.Content {
			if proj.Kind != yaml.SequenceNode || len(proj.Content) == 0 {
				errs.add(proj.Line, "compose project: want a list of compose files, the base first")
				continue
			}
			var files []string
			for _, f := range proj.Content {
				raw := strings.TrimSpace(f.Value)
				p := path.Clean(filepath.ToSlash(raw))
				if f.Kind != yaml.ScalarNode || raw == "" || path.IsAbs(p) || filepath.IsAbs(raw) || p == ".." || strings.HasPrefix(p, "../") {
					errs.add(f.Line, "compose project: want a compose file path relative to the scanned root")
					continue
				}
				files = append(files, p)
			}
			if len(files) > 0 {
				out = append(out, files)
			}
		}
	}
	return out
}

// helmReleases reads helm: {releases: [{name, chart, version, values: [...]}]}.
func helmReleases(v *yaml.Node, errs *errList) []HelmRelease {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		errs.add(v.Line, "helm: want a mapping with releases")
		return nil
	}
	var out []HelmRelease
	for _, kv := range pairs(v, errs) {
		if kv[0].Value != "releases" {
			errs.add(kv[0].Line, fmt.Sprintf("unknown key %s in helm (want releases)", show(kv[0].Value)))
			continue
		}
		if kv[1].Kind != yaml.SequenceNode {
			errs.add(kv[1].Line, "helm releases: want a list of {name, chart, version, values}")
			continue
		}
		for _, it := range kv[1].Content {
			if it.Kind != yaml.MappingNode {
				errs.add(it.Line, "helm release: want a mapping with name, chart, version, values")
				continue
			}
			r := HelmRelease{Line: it.Line}
			for _, f := range pairs(it, errs) {
				k, fv := f[0], f[1]
				switch k.Value {
				case "name", "chart", "version":
					if fv.Kind != yaml.ScalarNode {
						errs.add(fv.Line, fmt.Sprintf("helm release %s: want a single value", k.Value))
						continue
					}
					switch k.Value {
					case "name":
						r.Name = fv.Value
					case "chart":
						r.Chart = fv.Value
					default:
						r.Version = fv.Value
					}
				case "values":
					if fv.Kind != yaml.SequenceNode {
						errs.add(fv.Line, "helm release values: want a list of files")
						continue
					}
					for _, x := range fv.Content {
						p := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(x.Value)), "./")
						if x.Kind != yaml.ScalarNode || x.Value == "" || filepath.IsAbs(x.Value) || strings.HasPrefix(p, "../") || p == ".." {
							errs.add(x.Line, "helm release values: want file paths inside the scanned tree")
							continue
						}
						r.Values = append(r.Values, p)
					}
				default:
					errs.add(k.Line, fmt.Sprintf("unknown key %s in helm release (want name, chart, version, values)", show(k.Value)))
				}
			}
			if len(r.Values) == 0 {
				errs.add(it.Line, "helm release without values files")
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

var exceptionKeys = "rule, path, target, reason, expires, max_severity"

func exception(n *yaml.Node, file string, errs *errList) (suppress.Exception, bool) {
	var e suppress.Exception
	if n.Kind != yaml.MappingNode {
		errs.add(n.Line, "exception: want a mapping with "+exceptionKeys)
		return e, false
	}
	ok := true
	for _, kv := range pairs(n, errs) {
		k, v := kv[0], kv[1]
		if v.Kind != yaml.ScalarNode {
			errs.add(v.Line, fmt.Sprintf("exception %s: want a single value", showBare(k.Value)))
			ok = false
			continue
		}
		switch k.Value {
		case "rule":
			e.Rule = strings.ToUpper(strings.TrimSpace(v.Value))
		case "path":
			e.Path = strings.TrimPrefix(v.Value, "./")
		case "target":
			e.Target = v.Value
		case "reason":
			e.Reason = strings.TrimSpace(v.Value)
		case "expires":
			e.Expires = v.Value
		case "max_severity":
			e.MaxSeverity = strings.ToLower(strings.TrimSpace(v.Value))
		default:
			errs.add(k.Line, fmt.Sprintf("unknown key %s in exception (want %s)", show(k.Value), exceptionKeys))
			ok = false
		}
	}
	if e.Rule == "" {
		errs.add(n.Line, "exception without rule: name the rule ID it accepts")
		return e, false
	}
	e.Source = fmt.Sprintf("%s:%d", file, n.Line)
	checked, err := suppress.NewException(e)
	if err != nil {
		errs.add(n.Line, "exception: "+hideQuoted(err.Error()))
		return e, false
	}
	return checked, ok
}

func ruleList(key string, v *yaml.Node, errs *errList) []RuleRef {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		errs.add(v.Line, key+": want a list of rule IDs")
		return nil
	}
	var out []RuleRef
	for _, it := range v.Content {
		if it.Kind != yaml.ScalarNode || it.Value == "" {
			errs.add(it.Line, key+": want a rule ID")
			continue
		}
		out = append(out, RuleRef{ID: strings.ToUpper(strings.TrimSpace(it.Value)), Line: it.Line})
	}
	return out
}

// pairs returns a mapping's key/value nodes, flagging duplicate keys.
func pairs(m *yaml.Node, errs *errList) [][2]*yaml.Node {
	seen := map[string]int{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if prev, dup := seen[k.Value]; dup {
			errs.add(k.Line, fmt.Sprintf("key %s is already set at line %d", show(k.Value), prev))
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// jsonNumbers turns YAML numbers into json.Number-like values the way the
// built-in parameter files are read, so overrides compare like defaults.
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = jsonNumbers(e)
		}
		return x
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	}
	return v
}

// errList collects errors with their lines, reported together.
type errList struct {
	file string
	errs []lineErr
}

type lineErr struct {
	line int
	msg  string
}

func (l *errList) add(line int, msg string) { l.errs = append(l.errs, lineErr{line, msg}) }

func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].line < l.errs[j].line })
	if len(l.errs) == 1 {
		return fmt.Errorf("%s:%d: %s", l.file, l.errs[0].line, l.errs[0].msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d errors:", l.file, len(l.errs))
	for _, e := range l.errs {
		fmt.Fprintf(&b, "\n  %s:%d: %s", l.file, e.line, e.msg)
	}
	return errors.New(b.String())
}

// Rebase makes the paths the file names (exception paths, compose projects,
// Helm values files), written relative to the file's own directory,
// relative to the project root, dir being that directory relative to the
// root ("" or "." when it is the root).
func (c *Config) Rebase(dir string) {
	if dir == "" || dir == "." {
		return
	}
	for i := range c.Exceptions {
		if p := c.Exceptions[i].Path; p != "" {
			c.Exceptions[i].Path = path.Join(dir, p)
		}
	}
	// A glob with a slash is a path from the config's directory; a bare
	// name matches anywhere below that directory, as it does anywhere in
	// the project for a config at the root.
	for _, gs := range [][]string{c.SkipDirs, c.SkipFiles} {
		for i, g := range gs {
			if strings.Contains(g, "/") {
				gs[i] = path.Join(dir, g)
			} else {
				gs[i] = dir + "/**/" + g
			}
		}
	}
	for _, proj := range c.ComposeProjects {
		for i := range proj {
			proj[i] = path.Join(dir, proj[i])
		}
	}
	for i := range c.Helm {
		for j := range c.Helm[i].Values {
			c.Helm[i].Values[j] = path.Join(dir, c.Helm[i].Values[j])
		}
	}
}
