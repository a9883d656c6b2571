package report

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// The Markdown checks render the report with goldmark and GitHub's
// extensions (tables, strikethrough, autolinks, task lists) the way GitHub
// renders a PR comment or a job summary, except that raw HTML is passed
// through (html.WithUnsafe): whatever HTML our escaping lets through then
// shows up as an element in the output, instead of being dropped silently
// by goldmark's default (GitHub's sanitiser drops less).

var gfm = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

// renderGFM renders Markdown to HTML.
func renderGFM(md string) (string, error) {
	var b bytes.Buffer
	if err := gfm.Convert([]byte(md), &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// mdElements are the elements natsaudit's Markdown renders to: headings,
// paragraphs, lists, bold, code, tables and links to its own documentation.
// No emphasis, strike-through, images, quotes, rules, task boxes, line
// breaks or raw HTML: those could only come from the text of an input.
var mdElements = map[string]bool{
	"h1": true, "h2": true, "h3": true, "h4": true, "p": true, "ul": true, "ol": true, "li": true,
	"strong": true, "code": true, "pre": true, "table": true, "thead": true, "tbody": true,
	"tr": true, "th": true, "td": true, "a": true,
}

var (
	tagRe  = regexp.MustCompile(`<(/?)([^\s>/]*)([^>]*)>?`)
	hrefRe = regexp.MustCompile(`^\s+href="([^"]*)"\s*$`)
)

// mdCheck is what a rendered Markdown document must satisfy.
type mdCheck struct {
	// hrefs are the link targets natsaudit writes itself; any other link
	// came from input.
	hrefs map[string]bool
	// extraElements allows elements the trusted rule catalog uses (its
	// descriptions are Markdown written by us).
	extraElements map[string]bool
	// headings is the number of h1..h4 the report must have: one more means
	// an input made a heading.
	headings [4]int
	// texts must each appear whole (controls shown visibly, white space
	// collapsed) in the rendered text: a string cut short was split by
	// Markdown (a table cell broken by "|", a code span closed early).
	texts []string
}

// problems renders md and lists every violation of c.
func (c mdCheck) problems(md string) []string {
	out, err := renderGFM(md)
	if err != nil {
		return []string{"goldmark: " + err.Error()}
	}
	var probs []string
	var heads [4]int
	for _, m := range tagRe.FindAllStringSubmatchIndex(out, -1) {
		tag := out[m[0]:m[1]]
		closing := out[m[2]:m[3]] == "/"
		name := strings.ToLower(out[m[4]:m[5]])
		attrs := out[m[6]:m[7]]
		if !mdElements[name] && !c.extraElements[name] {
			probs = append(probs, fmt.Sprintf("element %q not written by natsaudit", clipTag(tag)))
			continue
		}
		if closing {
			continue
		}
		if name == "a" {
			hm := hrefRe.FindStringSubmatch(attrs)
			if hm == nil || !c.hrefs[html.UnescapeString(hm[1])] {
				probs = append(probs, fmt.Sprintf("link %q not written by natsaudit", clipTag(tag)))
			}
		} else if strings.TrimSpace(attrs) != "" && !(name == "code" && strings.HasPrefix(strings.TrimSpace(attrs), `class="language-`)) && !(name == "th" || name == "td") {
			probs = append(probs, fmt.Sprintf("attributes on %q", clipTag(tag)))
		}
		if len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '4' {
			heads[name[1]-'1']++
		}
	}
	if heads != c.headings {
		probs = append(probs, fmt.Sprintf("headings h1..h4 = %v, want %v", heads, c.headings))
	}
	// guardLines shows workflow commands in code as #\x23[ and \x3a:.
	text := strings.NewReplacer(`#\x23`, "##", `\x3a:`, "::").Replace(plainText(out))
	for _, s := range c.texts {
		want := normText(s)
		if want != "" && !strings.Contains(text, want) {
			probs = append(probs, fmt.Sprintf("text %q is not shown whole", want))
		}
	}
	return probs
}

func clipTag(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// plainText is what a reader sees of the HTML: tags removed, entities
// decoded, white space collapsed.
func plainText(h string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(h, " "))), " ")
}

// normText is how an untrusted string is expected to read in Markdown: line
// breaks and tabs as spaces, other control and invisible format characters
// as escapes (\x1b, \u202e), white space collapsed.
func normText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\r' || r == '\t' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f || unicode.Is(unicode.Cf, r):
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
