package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/natsaudit/natsaudit/internal/finding"
	"github.com/natsaudit/natsaudit/internal/report"
)

// allowedElements is every element the HTML report may contain: anything
// else came from input.
var allowedElements = map[string]bool{
	"html": true, "head": true, "body": true, "meta": true, "title": true, "style": true,
	"header": true, "nav": true, "main": true, "footer": true, "section": true, "article": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "p": true, "a": true, "ul": true, "ol": true, "li": true,
	"dl": true, "dt": true, "dd": true, "strong": true, "code": true, "pre": true, "span": true, "div": true,
	"table": true, "caption": true, "thead": true, "tbody": true, "tfoot": true, "tr": true, "th": true, "td": true,
	"details": true, "summary": true, "figure": true, "figcaption": true,
	"svg": true, "desc": true, "rect": true, "line": true, "text": true, "g": true, "polyline": true,
	"circle": true, "polygon": true, "path": true,
}

func parseHTML(t *testing.T, out []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func walkHTML(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkHTML(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walkHTML(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func byID(doc *html.Node, id string) *html.Node {
	var found *html.Node
	walkHTML(doc, func(n *html.Node) {
		if found == nil && n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
		}
	})
	return found
}

func countElems(root *html.Node, tag, class string) int {
	n := 0
	walkHTML(root, func(c *html.Node) {
		if c.Type == html.ElementNode && c.Data == tag && (class == "" || hasClass(c, class)) {
			n++
		}
	})
	return n
}

// checkHTML checks what the report promises: only its own elements, no
// script or remote load, the charts with their titles and the right number
// of bars, landmarks, headings in order, severities in words, every
// finding, suppressed findings collapsed.
func checkHTML(t *testing.T, out []byte, r *report.Report) {
	t.Helper()
	doc := parseHTML(t, out)
	lastHeading := 0
	walkHTML(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if !allowedElements[n.Data] {
			t.Errorf("element <%s> is not one the report writes", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Errorf("<%s %s=%q>: an event handler", n.Data, a.Key, a.Val)
			}
			if a.Key == "href" && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, "https://") {
				t.Errorf("<%s href=%q>: a link that is neither an anchor nor https", n.Data, a.Val)
			}
			if a.Key == "src" || a.Key == "srcset" || a.Key == "xlink:href" {
				t.Errorf("<%s %s=%q>: the report loads nothing", n.Data, a.Key, a.Val)
			}
		}
		if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
			level := int(n.Data[1] - '0')
			if level > lastHeading+1 {
				t.Errorf("heading <%s> %q follows a level-%d heading: a level is skipped", n.Data, textOf(n), lastHeading)
			}
			lastHeading = level
		}
	})
	for _, tag := range []string{"header", "nav", "main", "footer"} {
		if c := countElems(doc, tag, ""); c != 1 {
			t.Errorf("%d <%s> landmarks, want 1", c, tag)
		}
	}
	if c := countElems(doc, "h1", ""); c != 1 {
		t.Errorf("%d <h1>, want 1", c)
	}
	if c := countElems(doc, "svg", "chart"); c != 3 {
		t.Errorf("%d charts, want 3", c)
	}
	walkHTML(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "svg" {
			first := n.FirstChild
			for first != nil && first.Type != html.ElementNode {
				first = first.NextSibling
			}
			if first == nil || first.Data != "title" || strings.TrimSpace(textOf(first)) == "" || attr(n, "role") != "img" || attr(n, "aria-labelledby") == "" {
				t.Errorf("chart %s: want role=img, aria-labelledby and a <title> first", attr(n, "id"))
			}
		}
	})
	// Bars: one per category score, one per severity with findings, one
	// segment per category and severity with findings.
	scores := 0
	if r.Scores.Overall != nil {
		scores++
	}
	for _, c := range finding.CategoryNames() {
		if r.Scores.Categories[c].Score != nil {
			scores++
		}
	}
	sevs, segs := 0, map[string]bool{}
	for _, s := range finding.SeverityNames() {
		if r.Summary.Severity[s] > 0 {
			sevs++
		}
	}
	for _, f := range r.Findings {
		segs[string(f.Category)+"/"+string(f.Severity)] = true
	}
	for id, want := range map[string]int{"chart-scores": scores, "chart-severity": sevs, "chart-category": len(segs)} {
		c := byID(doc, id)
		if c == nil {
			t.Errorf("no chart %s", id)
			continue
		}
		if got := countElems(c, "rect", "bar"); got != want {
			t.Errorf("chart %s has %d bars, want %d", id, got, want)
		}
	}
	// Severity is written, not only coloured.
	walkHTML(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "span" && hasClass(n, "sev") {
			txt := strings.ToLower(textOf(n))
			ok := false
			for _, s := range finding.SeverityNames() {
				ok = ok || strings.Contains(txt, s)
			}
			if !ok {
				t.Errorf("severity badge %q does not name the severity", textOf(n))
			}
		}
	})
	// A finding that shares its root cause with another rule's is shown
	// with it (p.also), not under its own rule.
	if got := countElems(doc, "li", "finding") + countElems(doc, "p", "also"); got != len(r.Findings) {
		t.Errorf("%d findings shown, want %d", got, len(r.Findings))
	}
	if len(r.Suppressed) > 0 {
		var sup *html.Node
		walkHTML(doc, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "details" && hasClass(n, "suppressed") {
				sup = n
			}
		})
		if sup == nil {
			t.Error("suppressed findings are not in a collapsed <details>")
		} else if attr(sup, "open") != "" || countElems(sup, "tr", "") != len(r.Suppressed)+1 {
			t.Errorf("suppressed section: want it closed with %d rows", len(r.Suppressed))
		}
	}
	page := textOf(doc)
	for _, want := range []string{"Executive summary", "Most urgent", "Remediation plan", "Controls", "Scope and confidence", "Provenance", r.Tool.Version} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// hostile is markup, script, template syntax, workflow commands and
// reordering characters, as names of servers, streams and files.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`'><svg onload=alert(3)>`,
	`</style><script>alert(4)</script>`,
	`</title><iframe src=javascript:alert(5)>`,
	`]]><!-- <a href="javascript:alert(6)">x</a> -->`,
	"{{.}} ${x} \u202egnp.exe \x1b[31m",
	"x\n::error::pwned",
}

// hostileReport is the rich report with every input string replaced by
// one of the hostile strings (or by "benign" when hostile is false: the
// same report shape with harmless names).
func hostileReport(t *testing.T, bad bool) (*report.Report, []*finding.Rule) {
	t.Helper()
	r := richReport(t)
	n := 0
	s := func() string {
		n++
		if !bad {
			return fmt.Sprintf("benign-%d", n)
		}
		return hostile[n%len(hostile)] + fmt.Sprint(n)
	}
	r.Scan.Roots = []string{s()}
	r.Scan.Targets = []string{s()}
	for i := range r.Scan.Files {
		r.Scan.Files[i] = s()
	}
	for i := range r.Scan.Servers {
		r.Scan.Servers[i] = s()
	}
	for _, fs := range [][]report.Finding{r.Findings, r.Suppressed} {
		for i := range fs {
			f := &fs[i]
			f.Message, f.Snippet, f.Target, f.TargetName, f.Path, f.Endpoint = s(), s(), "stream "+s(), s(), s(), s()
			if f.Location != nil {
				l := *f.Location
				l.File = s()
				f.Location = &l
			}
			if f.Suppression != nil {
				sp := *f.Suppression
				sp.Reason, sp.Source, sp.Until = s(), s(), s()
				f.Suppression = &sp
			}
		}
	}
	for i := range r.Errors {
		r.Errors[i].File, r.Errors[i].Message = s(), s()
	}
	for i := range r.Notes {
		r.Notes[i] = s()
	}
	// A custom rule: its metadata is input too.
	custom := &finding.Rule{ID: "CUSTOM-1", Title: s(), Severity: "high", Category: "security", Custom: true,
		Description: s() + "\n\n    " + s(), Remediation: "Use `" + s() + "`.", References: []string{"javascript:alert(7)", s()}}
	r.Findings = append(r.Findings, report.Finding{RuleID: "CUSTOM-1", Severity: "high", Category: "security", Title: custom.Title,
		Message: s(), Remediation: custom.Remediation, Target: "server " + s(), TargetKind: "server", TargetName: s(), Fingerprint: "c1"})
	r.Rules = append(r.Rules, report.RuleStatus{ID: "CUSTOM-1", Title: custom.Title, Severity: "high", Category: "security", Evaluated: true, Findings: 1, Custom: true})
	return r, append(testEngine(t).Rules(), custom)
}

// shape is a document's elements and attribute names, in order: what the
// markup is, whatever the text.
func shape(doc *html.Node) []string {
	var out []string
	walkHTML(doc, func(n *html.Node) {
		if n.Type == html.ElementNode {
			var keys []string
			for _, a := range n.Attr {
				keys = append(keys, a.Key)
			}
			out = append(out, n.Data+"["+strings.Join(keys, " ")+"]")
		}
		if n.Type == html.CommentNode {
			out = append(out, "<!--")
		}
	})
	return out
}

// TestHTMLHostileNames: a report whose server, stream and file names,
// messages, snippets, suppression reasons and custom rule metadata are
// markup renders to the same elements and attributes as one with harmless
// names: none of the input became markup. The hostile text is on the page,
// as text.
func TestHTMLHostileNames(t *testing.T) {
	bad, badRules := hostileReport(t, true)
	good, goodRules := hostileReport(t, false)
	opt := renderOpts(t)
	opt.Rules = badRules
	badOut := render(t, "html", bad, opt)
	opt.Rules = goodRules
	goodOut := render(t, "html", good, opt)

	badShape, goodShape := shape(parseHTML(t, badOut)), shape(parseHTML(t, goodOut))
	if strings.Join(badShape, "\n") != strings.Join(goodShape, "\n") {
		for i := range min(len(badShape), len(goodShape)) {
			if badShape[i] != goodShape[i] {
				t.Fatalf("hostile names changed the markup at element %d: %s, with harmless names %s", i, badShape[i], goodShape[i])
			}
		}
		t.Fatalf("hostile names changed the number of elements: %d, with harmless names %d", len(badShape), len(goodShape))
	}
	checkHTML(t, badOut, bad)
	page := textOf(parseHTML(t, badOut))
	for _, h := range []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, `</style><script>alert(4)</script>`} {
		if !strings.Contains(page, h) {
			t.Errorf("%q is not on the page as text", h)
		}
	}
	if bytes.Contains(badOut, []byte("\u202e")) || bytes.Contains(badOut, []byte("\x1b")) {
		t.Error("a bidi override or an escape character reached the page")
	}
	for _, l := range strings.Split(string(badOut), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "::") {
			t.Errorf("a line of the page is a workflow command: %q", l)
		}
	}
	if strings.Contains(string(badOut), `href="javascript`) {
		t.Error("a custom rule's reference became a javascript: link")
	}
}

// TestHTMLSelfContained: the page loads nothing and runs nothing, prints
// and fits a phone.
func TestHTMLSelfContained(t *testing.T) {
	out := render(t, "html", scan(t, exampleRepo), renderOpts(t))
	for _, bad := range []string{"<script", "<link", "@import", "url(", "<img", "http://"} {
		if bytes.Contains(bytes.ToLower(out), []byte(bad)) {
			t.Errorf("the page contains %q: it must load nothing", bad)
		}
	}
	if !bytes.Contains(out, []byte(`Content-Security-Policy" content="default-src 'none'`)) {
		t.Error("no Content-Security-Policy forbidding scripts and remote loads")
	}
	if !bytes.Contains(out, []byte("@media print")) || !bytes.Contains(out, []byte(`name="viewport"`)) {
		t.Error("no print stylesheet or no viewport for phones")
	}
}
