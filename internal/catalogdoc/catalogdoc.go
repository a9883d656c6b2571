// Package catalogdoc renders the rule catalog (the rules' METADATA, as the
// engine reads it) as Markdown: `natsaudit rules list --format markdown` and
// docs/rules.md, which `go generate ./rules` rebuilds. The output depends only
// on the catalog, so it is deterministic.
package catalogdoc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/engine"
	"github.com/natsaudit/natsaudit/internal/finding"
)

// Family is a group of rules sharing an ID prefix (NATS-TLS-001 → TLS).
type Family struct {
	Prefix string
	Name   string
}

// Families in the order the catalog presents them; rules of other prefixes
// (custom rules) follow, by prefix.
var Families = []Family{
	{"TLS", "TLS"},
	{"AUTH", "Authentication and authorization"},
	{"CRED", "Credentials"},
	{"NET", "Network exposure and monitoring"},
	{"VER", "Versions and supply chain"},
	{"DOC", "Container deployment"},
	{"CLU", "Cluster and high availability"},
	{"SRV", "Live servers"},
	{"JS", "JetStream server"},
	{"STR", "Streams"},
	{"CON", "Consumers"},
	{"LIM", "Limits and performance"},
	{"OPS", "Operations"},
}

// Anchor is the fragment a rule's documentation lives at; it must match
// engine.Rule.HelpURI.
func Anchor(r *engine.Rule) string { return strings.ToLower(r.ID) }

// Options tune the output.
type Options struct {
	// DocsDir is the directory the Markdown file is written to, relative to
	// the repository root ("docs"); built-in rule files are linked relative
	// to it. Empty: no links.
	DocsDir string
	// Params, when set, adds a section listing the rule parameters
	// (rules/data/params.<section>.json) with their values.
	Params map[string]any
}

// Markdown writes the catalog.
func Markdown(w io.Writer, rules []*engine.Rule, opt Options) error {
	bw := bufio.NewWriter(w)
	groups, order := group(rules)
	counts := map[string]int{}
	for _, r := range rules {
		counts[string(r.Category)]++
	}
	var cats []string
	for _, c := range finding.CategoryNames() {
		if counts[c] > 0 {
			cats = append(cats, fmt.Sprintf("%d %s", counts[c], c))
		}
	}

	fmt.Fprintf(bw, "# natsaudit rule catalog\n\n")
	fmt.Fprintf(bw, "%d rules (%s).\n\n", len(rules), strings.Join(cats, ", "))
	fmt.Fprintf(bw, "Each rule lists its default severity; a few raise or lower it for a particular\n")
	fmt.Fprintf(bw, "finding, and their description says when. *Sources* are the inputs that can reveal\n")
	fmt.Fprintf(bw, "the problem: `config` (nats.conf), `compose`, `env` (.env files), `streams` (stream\n")
	fmt.Fprintf(bw, "and consumer definitions), `certs`, `files` (files in the repository) and `live`\n")
	fmt.Fprintf(bw, "(monitoring endpoints).\n\n")

	fmt.Fprintf(bw, "| ID | Severity | Category | Title |\n|---|---|---|---|\n")
	for _, g := range order {
		for _, r := range groups[g.Prefix] {
			fmt.Fprintf(bw, "| [%s](#%s) | %s | %s | %s |\n", r.ID, Anchor(r), r.Severity, r.Category, cell(r.Title))
		}
	}

	for _, g := range order {
		fmt.Fprintf(bw, "\n## %s\n", g.Name)
		for _, r := range groups[g.Prefix] {
			writeRule(bw, r, opt)
		}
	}
	if len(opt.Params) > 0 {
		writeParams(bw, opt)
	}
	return bw.Flush()
}

// writeParams lists the parameters rules read as lib.params.<section>.<key>;
// users override them under `params:` in .natsaudit.yaml.
func writeParams(w io.Writer, opt Options) {
	fmt.Fprintf(w, "\n## Parameters\n\n")
	fmt.Fprintf(w, "Rules read their thresholds and word lists as `lib.params.<section>.<key>`; override them\n")
	fmt.Fprintf(w, "under `params:` in `.natsaudit.yaml`. Defaults:\n")
	sections := make([]string, 0, len(opt.Params))
	for k := range opt.Params {
		sections = append(sections, k)
	}
	sort.Strings(sections)
	for _, sec := range sections {
		file := "rules/data/params." + sec + ".json"
		if opt.DocsDir != "" {
			file = fmt.Sprintf("[%s](%s%s)", file, strings.Repeat("../", len(strings.Split(path.Clean(opt.DocsDir), "/"))), file)
		}
		fmt.Fprintf(w, "\n### %s\n\n%s\n\n| key | default |\n|---|---|\n", sec, file)
		m, _ := opt.Params[sec].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "| `%s` | %s |\n", k, paramValue(m[k]))
		}
	}
}

// paramValue shows scalars as JSON and summarises lists and objects.
func paramValue(v any) string {
	switch x := v.(type) {
	case []any:
		return fmt.Sprintf("list of %d", len(x))
	case map[string]any:
		return fmt.Sprintf("%d entries", len(x))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return "`" + cell(string(b)) + "`"
}

func writeRule(w io.Writer, r *engine.Rule, opt Options) {
	fmt.Fprintf(w, "\n<a id=\"%s\"></a>\n\n### %s: %s\n\n", Anchor(r), r.ID, r.Title)
	fmt.Fprintf(w, "**Severity:** %s · **Category:** %s · **Facets:** %s", r.SeverityText(), r.Category, strings.Join(r.Facets, ", "))
	if f := ruleFile(r, opt); f != "" {
		fmt.Fprintf(w, " · **Rule:** %s", f)
	}
	fmt.Fprintf(w, "\n\n%s\n\n**Remediation**\n\n%s\n", paragraph(r.Description), block(r.Remediation))
	if len(r.References) > 0 {
		fmt.Fprintf(w, "\n**References**\n\n")
		refs := append([]string(nil), r.References...)
		for _, ref := range refs {
			fmt.Fprintf(w, "- <%s>\n", ref)
		}
	}
}

// ruleFile links a built-in rule's file (rules/tls.rego) from the docs
// directory; custom rules show their path as code.
func ruleFile(r *engine.Rule, opt Options) string {
	if r.File == "" {
		return ""
	}
	if r.Custom || opt.DocsDir == "" {
		return "`" + r.File + "`"
	}
	rel := strings.Repeat("../", len(strings.Split(path.Clean(opt.DocsDir), "/"))) + r.File
	return fmt.Sprintf("[%s](%s)", r.File, rel)
}

func group(rules []*engine.Rule) (map[string][]*engine.Rule, []Family) {
	groups := map[string][]*engine.Rule{}
	for _, r := range rules {
		p := prefix(r.ID)
		groups[p] = append(groups[p], r)
	}
	for _, list := range groups {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	var order []Family
	known := map[string]bool{}
	for _, f := range Families {
		known[f.Prefix] = true
		if len(groups[f.Prefix]) > 0 {
			order = append(order, f)
		}
	}
	var extra []string
	for p := range groups {
		if !known[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	for _, p := range extra {
		order = append(order, Family{p, p})
	}
	return groups, order
}

// prefix is the family of an ID: NATS-TLS-001 → TLS, ACME-FOO-1 → FOO.
func prefix(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return id
}

// cell makes text safe inside a table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`), "\n", " ")
}

// paragraph joins folded description lines.
func paragraph(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// block keeps the remediation's own layout (indented snippets render as code).
func block(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// Header marks docs/rules.md as generated.
const Header = "<!-- Code generated by `go generate ./rules` (tools/rulesdoc) from the rules' METADATA. DO NOT EDIT. -->\n\n"

// DocsFile is the content of docs/rules.md for the built-in catalog and its
// default parameters.
func DocsFile(rules []*engine.Rule, params map[string]any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(Header)
	if err := Markdown(&b, rules, Options{DocsDir: "docs", Params: params}); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
