// Command advisories rebuilds rules/data/advisories.json, the nats-server
// advisory table that NATS-VER-001..004 read, from a local clone of
// github.com/nats-io/advisories (the CVE/*.txt notes published at
// advisories.nats.io), lists of released nats-server versions, and a
// hand-maintained overlay (tools/advisories/overlay.json) with what the notes
// do not say in a machine-readable way: the audit severity, the feature gates
// (`requires`) and corrections.
//
// Usage (see docs/advisories.md for the full refresh procedure):
//
//	go run ./tools/advisories \
//	    -advisories ~/src/nats-advisories -advisories-rev "$(git -C ~/src/nats-advisories rev-parse --short HEAD)" \
//	    -versions /tmp/tags.txt -versions /tmp/proxy.txt \
//	    -updated 2026-11-23 -o rules/data/advisories.json
//
// A note without an overlay entry is an error: every new advisory needs a
// human decision on its severity and gates before it ships.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "advisories:", err)
		os.Exit(1)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("advisories", flag.ContinueOnError)
	dir := fs.String("advisories", "", "local clone of github.com/nats-io/advisories (reads CVE/*.txt)")
	rev := fs.String("advisories-rev", "", "commit of that clone, recorded in the output")
	overlayPath := fs.String("overlay", "tools/advisories/overlay.json", "severities, feature gates and corrections")
	var versionFiles multiFlag
	fs.Var(&versionFiles, "versions", "file listing nats-server versions (output of `git tag` or `go list -m -versions`); repeatable")
	versionsNote := fs.String("versions-note", "", "where the version lists came from, recorded in the output")
	updated := fs.String("updated", "", "date of this refresh (YYYY-MM-DD)")
	out := fs.String("o", "", "output file (default stdout)")
	onlyWorkarounds := fs.Bool("workarounds-only", false, "only refresh the workaround texts of the table in -o from the notes and the overlay (no version lists needed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *onlyWorkarounds {
		return refreshWorkarounds(*dir, *overlayPath, *out)
	}
	if *dir == "" || len(versionFiles) == 0 || *updated == "" {
		return errors.New("-advisories, -versions and -updated are required")
	}
	if _, err := time.Parse("2006-01-02", *updated); err != nil {
		return fmt.Errorf("-updated: %w", err)
	}
	ov, err := readOverlay(*overlayPath)
	if err != nil {
		return err
	}
	notes, err := readNotes(filepath.Join(*dir, "CVE"))
	if err != nil {
		return err
	}
	var versions []string
	for _, f := range versionFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		versions = append(versions, strings.Fields(string(b))...)
	}
	db, err := build(notes, ov, versions)
	if err != nil {
		return err
	}
	db.Updated = *updated
	db.Sources = Sources{
		Advisories: strings.TrimSpace("github.com/nats-io/advisories " + *rev),
		Versions:   *versionsNote,
		Overlay:    "tools/advisories/overlay.json",
	}
	b, err := marshal(db)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

// refreshWorkarounds rewrites the workaround of every advisory of the table
// in path from the notes in dir and the overlay, leaving the rest as it is.
func refreshWorkarounds(dir, overlayPath, path string) error {
	if dir == "" || path == "" {
		return errors.New("-workarounds-only needs -advisories and -o")
	}
	ov, err := readOverlay(overlayPath)
	if err != nil {
		return err
	}
	notes, err := readNotes(filepath.Join(dir, "CVE"))
	if err != nil {
		return err
	}
	byFile := map[string]*Note{}
	for _, n := range notes {
		byFile[n.File] = n
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read table: %w", err)
	}
	var db DB
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&db); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	var errs []string
	for _, a := range append(append([]*Advisory{}, db.Advisories...), db.Toolchain...) {
		n, ok := byFile[a.Note]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: note %s not in %s", a.ID, a.Note, dir))
			continue
		}
		if a.Workaround, err = workaround(a.ID, n, ov[a.ID]); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	out, err := marshal(&db)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// marshal writes the table with stable key order and a trailing newline.
func marshal(db *DB) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(db); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// DB is the shape of rules/data/advisories.json.
type DB struct {
	Updated   string            `json:"updated"`
	AsOf      string            `json:"advisories_as_of"` // date of the newest note read
	Sources   Sources           `json:"sources"`
	Supported []string          `json:"supported_series"`
	Latest    map[string]string `json:"latest"`
	EOL       map[string]EOL    `json:"eol"`
	// Advisories affect nats-server releases; Toolchain advisories affect
	// builds made with an old Go (judged on varz.go).
	Advisories []*Advisory `json:"advisories"`
	Toolchain  []*Advisory `json:"toolchain"`
}

// Sources records what the table was built from.
type Sources struct {
	Advisories string `json:"advisories"`
	Versions   string `json:"versions"`
	Overlay    string `json:"overlay"`
}

// EOL is an end-of-life release series.
type EOL struct {
	Last string `json:"last"` // last release of the series
}

// Range is [Introduced, Fixed); an empty Fixed means no fix in that range.
type Range struct {
	Introduced string `json:"introduced"`
	Fixed      string `json:"fixed"`
}

// Advisory is one nats-server security advisory.
type Advisory struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases"`
	Note     string   `json:"note"` // advisories.nats.io note, e.g. secnote-2026-16
	Date     string   `json:"date"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	URL      string   `json:"url"`
	Ranges   []Range  `json:"ranges"`
	Fixed    []string `json:"fixed"`
	// Requires are feature gates, all of which must hold: a name, "a|b" (any
	// of), or "!name" (the feature must be off).
	Requires []string `json:"requires"`
	// GoFixed are the first fixed Go releases (toolchain advisories only).
	GoFixed []string `json:"go_fixed,omitempty"`
	// Workaround is what the note's "Workarounds" section advises until an
	// upgrade (quoted when short, condensed in the overlay otherwise); empty
	// when the note has none.
	Workaround string `json:"workaround,omitempty"`
}

// Overlay is the hand-maintained part, keyed by advisory ID (CVE or GHSA).
type Overlay map[string]OverlayEntry

// OverlayEntry adds or corrects what the note says.
type OverlayEntry struct {
	Severity   string   `json:"severity"`
	Requires   []string `json:"requires"`
	Summary    string   `json:"summary,omitempty"`
	Introduced string   `json:"introduced,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	Kind       string   `json:"kind,omitempty"` // "go" for toolchain advisories
	GoFixed    []string `json:"go_fixed,omitempty"`
	Skip       string   `json:"skip,omitempty"` // reason to leave a note out (not a nats-server issue)
	// Workaround replaces the note's Workarounds text: for one too long to
	// quote (lists, config blocks), condensed by hand; "none" for no
	// workaround.
	Workaround string `json:"workaround,omitempty"`
	Why        string `json:"why,omitempty"` // the reasoning behind severity and gates
}

// Features that `requires` may name; the Rego rule knows how to evaluate each.
var Features = map[string]bool{
	"websocket": true, "leafnodes": true, "leafnode_listener": true, "mqtt": true, "jetstream": true,
	"operator": true, "accounts": true, "no_auth_user": true, "verify_and_map": true, "monitoring": true,
	"cli_credentials": true, "cli_tls": true, "routes": true, "allowed_connection_types": true,
	"deny_permissions": true, "sys_only_accounts": true, "auth_callout": true,
}

var severities = map[string]bool{"critical": true, "high": true, "medium": true, "low": true, "info": true}

func readOverlay(p string) (Overlay, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read overlay: %w", err)
	}
	var ov Overlay
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ov); err != nil {
		return nil, fmt.Errorf("parse overlay %s: %w", p, err)
	}
	for id, e := range ov {
		if e.Skip != "" {
			continue
		}
		if !severities[e.Severity] {
			return nil, fmt.Errorf("overlay %s: severity %q is not critical, high, medium, low or info", id, e.Severity)
		}
		if e.Requires == nil {
			return nil, fmt.Errorf("overlay %s: requires is missing (use [] when the advisory applies to every deployment)", id)
		}
		for _, r := range e.Requires {
			for _, alt := range strings.Split(strings.TrimPrefix(r, "!"), "|") {
				if !Features[alt] {
					return nil, fmt.Errorf("overlay %s: unknown feature %q", id, alt)
				}
			}
		}
	}
	return ov, nil
}

// Note is one parsed CVE/*.txt file.
type Note struct {
	File     string // base name without .txt
	Subject  string
	IDs      []string // CVE, GHSA, GO ids from CVE: and Aliases:
	Date     string
	FixedIn  string
	Affected string // the NATS Server part of "Affected versions"
	// Workaround is the "Workarounds" section, whitespace collapsed;
	// Verbatim says it has no list or config block that collapsing breaks.
	Workaround string
	Verbatim   bool
}

// readNotes parses every advisory note in dir. Files that only name another
// file (the repository's alias "symlinks") are skipped.
func readNotes(dir string) ([]*Note, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read advisories: %w", err)
	}
	var out []*Note
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read advisories: %w", err)
		}
		n, ok := parseNote(strings.TrimSuffix(e.Name(), ".txt"), string(b))
		if ok {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read advisories: no notes in %s", dir)
	}
	return out, nil
}

var (
	idRe     = regexp.MustCompile(`\b(CVE-\d{4}-\d+|GHSA(?:-[0-9a-z]{4}){3}|GO-\d{4}-\d+)\b`)
	headerRe = regexp.MustCompile(`^([A-Za-z-]+):\s*(.*)$`)
	// sectionRe matches the headings that end the "Affected versions"
	// section (product sub-headings such as "NATS Server:" do not).
	sectionRe = regexp.MustCompile(`^(Impact|Workarounds?|Solution|Resolution|Credits?|References|Problem Description|Background|Security impact|Logic flaw):\s*$`)
)

// parseNote reads the header (Subject, CVE/Aliases, Date, Fixed-In) and the
// nats-server part of the "Affected versions" section.
func parseNote(file, text string) (*Note, bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasPrefix(text, "Subject:") {
		return nil, false
	}
	n := &Note{File: file}
	lines := strings.Split(text, "\n")
	for _, l := range lines {
		m := headerRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		switch strings.ToLower(m[1]) {
		case "subject":
			if n.Subject == "" {
				n.Subject = strings.TrimSpace(m[2])
			}
		case "cve", "aliases":
			for _, id := range idRe.FindAllString(m[2], -1) {
				n.IDs = appendUniq(n.IDs, id)
			}
		case "date":
			if n.Date == "" {
				n.Date = strings.TrimSpace(m[2])
			}
		case "fixed-in":
			if n.FixedIn == "" {
				n.FixedIn = strings.TrimSpace(m[2])
			}
		}
	}
	var aff []string
	in := false
	for _, l := range lines {
		if strings.HasPrefix(strings.ToLower(l), "affected versions:") {
			in = true
			continue
		}
		if in && sectionRe.MatchString(l) {
			break
		}
		if in {
			aff = append(aff, l)
		}
	}
	n.Affected = serverPart(strings.Join(aff, "\n"))
	n.Workaround, n.Verbatim = workaroundSection(lines)
	return n, true
}

// maxQuote is the longest Workarounds text quoted as it is; a longer one
// needs a condensed overlay entry (we quote short sentences, with a link to
// the note, never the notes themselves).
const maxQuote = 280

var (
	workaroundRe = regexp.MustCompile(`^Workarounds?:\s*$`)
	noneRe       = regexp.MustCompile(`(?i)^none( available)?\.?$`)
	structureRe  = regexp.MustCompile(`(?m)^\s*([*+-]|\d+\.)\s|[{}]`)
)

// workaroundSection returns the note's Workarounds section with whitespace
// collapsed ("" for none), and whether it reads right as one line (no
// bullet list and no config block).
func workaroundSection(lines []string) (string, bool) {
	var out []string
	in := false
	for _, l := range lines {
		if !in {
			in = workaroundRe.MatchString(l)
			continue
		}
		if sectionRe.MatchString(l) || strings.HasPrefix(strings.ToLower(l), "affected versions:") {
			break
		}
		out = append(out, l)
	}
	raw := strings.Join(out, "\n")
	text := strings.Join(strings.Fields(raw), " ")
	if noneRe.MatchString(text) {
		return "", true
	}
	return text, !structureRe.MatchString(raw)
}

// workaround decides an advisory's workaround text: the overlay's when it
// has one ("none" for none), else the note's when it is short and plain.
func workaround(id string, n *Note, e OverlayEntry) (string, error) {
	switch {
	case e.Workaround == "none":
		return "", nil
	case e.Workaround != "":
		return e.Workaround, nil
	case n.Workaround == "":
		return "", nil
	case len(n.Workaround) > maxQuote || !n.Verbatim:
		return "", fmt.Errorf("%s (%s): the Workarounds text is %d bytes or has a list or config block: condense it in the overlay (workaround)", id, n.File, len(n.Workaround))
	}
	return n.Workaround, nil
}

// serverPart keeps the "NATS Server:" paragraph of an affected section that
// lists several products (JWT library, nkeys, streaming server).
func serverPart(s string) string {
	i := strings.Index(s, "NATS Server:")
	if i < 0 {
		return s
	}
	s = s[i+len("NATS Server:"):]
	if j := strings.Index(s, "NATS Streaming Server"); j >= 0 {
		s = s[:j]
	}
	return s
}

func appendUniq(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

var (
	verRe        = regexp.MustCompile(`v?(\d+\.\d+\.\d+)`)
	introducedRe = []*regexp.Regexp{
		regexp.MustCompile(`from v?(2\.\d+\.\d+) onwards`),
		regexp.MustCompile(`v?(2\.\d+\.\d+) (?:up to|through)`),
	}
)

// serverFixes returns the nats-server versions of a Fixed-In header such as
// "jwt 1.1.0; nats-server 2.1.9" or "v2.14.0, v2.12.7, v2.11.16".
func serverFixes(fixedIn string) []string {
	var out []string
	for _, part := range strings.Split(fixedIn, ";") {
		p := strings.TrimSpace(part)
		product := strings.Fields(p)
		if len(product) > 0 && !verRe.MatchString(product[0]) && product[0] != "nats-server" {
			continue // jwt, nkeys, nats.js, nats-streaming-server, ...
		}
		for _, m := range verRe.FindAllStringSubmatch(p, -1) {
			out = appendUniq(out, m[1])
		}
	}
	sort.Slice(out, func(i, j int) bool { return cmp(out[i], out[j]) < 0 })
	return out
}

// introduced finds the first affected version in the affected text, 2.0.0
// when it says "Version 2 prior to", "any version before" or "and below".
func introduced(affected string) string {
	for _, re := range introducedRe {
		if m := re.FindStringSubmatch(affected); m != nil {
			return m[1]
		}
	}
	return "2.0.0"
}

// ranges turns the first fixed version of each series into affected ranges:
// the lowest fixed version closes [introduced, fixed), which also covers
// older series that never got a fix; every other fixed version closes its own
// series, including the series' pre-releases (X.Y.0-0).
func ranges(intro string, fixed []string) []Range {
	var out []Range
	for i, f := range fixed {
		lo := intro
		if i > 0 {
			v := parse(f)
			lo = fmt.Sprintf("%d.%d.0-0", v.major, v.minor)
		}
		out = append(out, Range{Introduced: lo, Fixed: f})
	}
	return out
}

func build(notes []*Note, ov Overlay, versions []string) (*DB, error) {
	db := &DB{Advisories: []*Advisory{}, Toolchain: []*Advisory{}}
	used := map[string]bool{}
	var errs []string
	for _, n := range notes {
		if len(n.IDs) == 0 {
			errs = append(errs, n.File+": no CVE or GHSA id")
			continue
		}
		id := primaryID(n.IDs)
		e, ok := ov[id]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s (%s): no overlay entry: decide its severity and feature gates in tools/advisories/overlay.json", id, n.File))
			continue
		}
		used[id] = true
		if e.Skip != "" {
			continue
		}
		a := &Advisory{
			ID: id, Note: n.File, Date: n.Date, Severity: e.Severity, Summary: n.Subject,
			URL: "https://advisories.nats.io/CVE/" + n.File + ".txt", Requires: e.Requires, Aliases: []string{},
		}
		for _, x := range append(n.IDs, e.Aliases...) {
			if x != id {
				a.Aliases = appendUniq(a.Aliases, x)
			}
		}
		sort.Strings(a.Aliases)
		if e.Summary != "" {
			a.Summary = e.Summary
		}
		w, err := workaround(id, n, e)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		a.Workaround = w
		if e.Kind == "go" {
			a.GoFixed = e.GoFixed
			a.Ranges, a.Fixed = []Range{}, []string{}
			db.Toolchain = append(db.Toolchain, a)
			continue
		}
		a.Fixed = serverFixes(n.FixedIn)
		if len(a.Fixed) == 0 {
			errs = append(errs, fmt.Sprintf("%s (%s): no nats-server version in Fixed-In %q", id, n.File, n.FixedIn))
			continue
		}
		intro := introduced(n.Affected)
		if e.Introduced != "" {
			intro = e.Introduced
		}
		a.Ranges = ranges(intro, a.Fixed)
		db.Advisories = append(db.Advisories, a)
		if n.Date > db.AsOf {
			db.AsOf = n.Date
		}
	}
	for id := range ov {
		if !used[id] {
			errs = append(errs, fmt.Sprintf("overlay %s: no such advisory in the notes", id))
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	for _, list := range [][]*Advisory{db.Advisories, db.Toolchain} {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Date != list[j].Date {
				return list[i].Date < list[j].Date
			}
			return list[i].ID < list[j].ID
		})
	}
	var err error
	db.Supported, db.Latest, db.EOL, err = series(versions)
	return db, err
}

// primaryID prefers the CVE, then the GHSA.
func primaryID(ids []string) string {
	for _, p := range []string{"CVE-", "GHSA-"} {
		for _, id := range ids {
			if strings.HasPrefix(id, p) {
				return id
			}
		}
	}
	return ids[0]
}

type version struct{ major, minor, patch int }

var releaseRe = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)$`)

func parse(s string) version {
	m := releaseRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return version{-1, -1, -1}
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	c, _ := strconv.Atoi(m[3])
	return version{a, b, c}
}

func cmp(a, b string) int {
	x, y := parse(a), parse(b)
	switch {
	case x.major != y.major:
		return x.major - y.major
	case x.minor != y.minor:
		return x.minor - y.minor
	}
	return x.patch - y.patch
}

// series computes the latest release of each 2.x series, the supported
// series (RELEASES.md: "The current and previous minor series are
// supported") and the end-of-life ones. Pre-releases and suffixed builds
// (-RC.1, -binary, -fips) are ignored.
func series(list []string) ([]string, map[string]string, map[string]EOL, error) {
	latest := map[string]string{}
	for _, s := range list {
		v := parse(s)
		if v.major != 2 {
			continue
		}
		key := fmt.Sprintf("%d.%d", v.major, v.minor)
		clean := fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
		if cur, ok := latest[key]; !ok || cmp(clean, cur) > 0 {
			latest[key] = clean
		}
	}
	if len(latest) < 2 {
		return nil, nil, nil, errors.New("versions: need releases of at least two 2.x series")
	}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return cmp(keys[i]+".0", keys[j]+".0") > 0 })
	supported := keys[:2]
	eol := map[string]EOL{}
	for _, k := range keys[2:] {
		eol[k] = EOL{Last: latest[k]}
	}
	return append([]string(nil), supported...), latest, eol, nil
}
