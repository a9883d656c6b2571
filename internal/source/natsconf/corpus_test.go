package natsconf

import (
	"bufio"
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
)

// TestRealWorldCorpus parses every nats-server config found in local clones
// of public repositories and compares each verdict with nats-server's own
// parser. It is opt-in: point NATSAUDIT_CORPUS at one or more directories
// (separated by the OS path-list separator), e.g. clones of nats-io/nats-server,
// nats-io/nats.docs and configs rendered from the nats-io/k8s Helm chart.
// docs/robustness.md records the last run.
//
// Three kinds of inputs are read: *.conf files (with their includes, read
// from the clone), configs written inline in Go tests (createConfFile calls,
// fmt.Sprintf verbs filled with placeholders) and fenced code blocks in
// Markdown that nats-server's parser accepts or that look like configs.
//
// What must hold for each input:
//   - natsconf.Parse returns within seconds, without panicking;
//   - it accepts what nats-server's parser accepts, and rejects what it
//     rejects (with a file:line error), except where the only difference is
//     an environment variable that nats-server would read from the process;
//   - an "unknown field" error is one nats-server reports too.
func TestRealWorldCorpus(t *testing.T) {
	roots := filepath.SplitList(os.Getenv("NATSAUDIT_CORPUS"))
	if len(roots) == 0 {
		t.Skip("set NATSAUDIT_CORPUS to local clones of nats-io repositories to run the corpus")
	}
	var st corpusStats
	st.reasons = map[string]int{}
	for _, root := range roots {
		root, err := filepath.Abs(root)
		if err != nil {
			t.Fatal(err)
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" || d.Name() == "node_modules" {
					return fs.SkipDir
				}
				return nil
			}
			switch {
			case strings.HasSuffix(p, ".conf"):
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				st.check(t, root, p, p, data, true)
			case strings.HasSuffix(p, "_test.go"):
				for i, c := range goTestConfigs(t, p) {
					st.checkSnippet(t, fmt.Sprintf("%s#%d(line %d)", p, i, c.line), c.text, "go")
				}
			case strings.HasSuffix(p, ".md"):
				for _, c := range markdownConfigs(t, p) {
					st.checkSnippet(t, fmt.Sprintf("%s:%d", p, c.line), c.text, "md")
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("corpus: %d inputs (%d files, %d inline in Go tests, %d Markdown blocks)", st.total, st.files, st.goSnips, st.mdSnips)
	t.Logf("  both parsers accept: %d; both reject: %d; accepted by natsaudit, rejected by nats-server only for an unset environment variable: %d",
		st.bothOK, st.bothFail, st.envOnly)
	t.Logf("  values compared with nats-server's Options: %d configs", st.compared)
	t.Logf("  slowest: %s (%s)", st.slowest, st.slowestName)
	keys := make([]string, 0, len(st.reasons))
	for k := range st.reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  rejected (%d): %s", st.reasons[k], k)
	}
}

type corpusStats struct {
	total, files, goSnips, mdSnips int
	bothOK, bothFail, envOnly      int
	compared                       int
	slowest                        time.Duration
	slowestName                    string
	reasons                        map[string]int
}

var reasonNorm = regexp.MustCompile(`'[^']*'|"[^"]*"|\d+`)

// checkSnippet writes an inline config to a temporary file and checks it.
// Snippets from Markdown that neither parser accepts are mostly prose or
// other formats: they are counted only when they look like a config.
func (st *corpusStats) checkSnippet(t *testing.T, name, text, kind string) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if kind == "md" {
		if _, err := conf.ParseFileWithChecks(p); err != nil && !looksConf(text) {
			return
		}
	}
	st.check(t, dir, name, p, []byte(text), false)
	switch kind {
	case "go":
		st.goSnips++
	case "md":
		st.mdSnips++
	}
}

var confLike = regexp.MustCompile(`(?m)^\s*(port|listen|http_port|server_name|jetstream|cluster|authorization|accounts|leafnodes|gateway|tls|websocket|mqtt|operator|resolver)\s*[:={ ]`)

func looksConf(s string) bool { return confLike.MatchString(s) }

func (st *corpusStats) check(t *testing.T, root, name, p string, data []byte, isFile bool) {
	st.total++
	if isFile {
		st.files++
	}
	done := make(chan *Result, 1)
	start := time.Now()
	go func() {
		done <- Parse(p, data, Options{Reader: OSReader{Root: root}})
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Errorf("%s: no result after 10s", name)
		return
	}
	if d := time.Since(start); d > st.slowest {
		st.slowest, st.slowestName = d, name
	}
	_, refErr := parseReference(p)
	syntaxErrs := res.Errors
	switch {
	case refErr == nil && res.OK():
		st.bothOK++
		// Unknown fields: nats-server's ProcessConfigFile is the judge.
		opts, procErr := processReference(p)
		if procErr == nil {
			for _, d := range compareOptions(res.Config, opts) {
				t.Errorf("%s: %s", name, d)
			}
			st.compared++
		}
		for _, e := range syntaxErrs {
			if strings.HasPrefix(e.Message, "unknown field") {
				field := strings.TrimPrefix(e.Message, "unknown field ")
				field = field[:strings.Index(field, ":")]
				if procErr == nil || !strings.Contains(procErr.Error(), "unknown field "+field) {
					t.Errorf("%s:%d: natsaudit reports %s; nats-server does not (%v)", name, e.Line, e.Message, firstLine(procErr))
				}
			}
		}
	case refErr != nil && strings.Contains(refErr.Error(), "variable reference") && res.OK():
		st.envOnly++
	case refErr != nil && !res.OK():
		st.bothFail++
		msg := res.Errors[0].Message
		st.reasons[reasonNorm.ReplaceAllString(msg, "…")]++
		if testing.Verbose() {
			t.Logf("rejected %s: %s:%d: %s", name, res.Errors[0].File, res.Errors[0].Line, res.Errors[0].Message)
		}
		if res.Errors[0].File == "" {
			t.Errorf("%s: error without a file: %+v", name, res.Errors[0])
		}
	case refErr != nil && res.OK():
		if isIncludeOnlyError(refErr) {
			st.bothOK++ // an include the snippet does not ship; natsaudit reports it as an error too
			return
		}
		t.Errorf("%s: nats-server rejects it (%v), natsaudit accepts it (errors %v)", name, firstLine(refErr), res.Errors)
	default:
		t.Errorf("%s: nats-server accepts it, natsaudit rejects it: %v", name, res.Errors)
	}
}

func isIncludeOnlyError(err error) bool {
	return strings.Contains(err.Error(), "error parsing include file")
}

func firstLine(err error) string {
	if err == nil {
		return "no error"
	}
	s, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return s
}

// parseReference runs nats-server's parser, turning a panic into an error.
func parseReference(p string) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("nats-server parser panicked: %v", r)
		}
	}()
	return conf.ParseFileWithChecks(p)
}

func processReference(p string) (o *server.Options, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("nats-server panicked: %v", r)
		}
	}()
	return server.ProcessConfigFile(p)
}

// compareOptions checks the values natsaudit read against the Options
// nats-server built from the same file, for the settings rules read most.
// A setting absent from natsaudit's config is not compared (defaults).
func compareOptions(c map[string]any, o *server.Options) []string {
	var diffs []string
	cmp := func(path string, want any) {
		got, ok := lookupPath(c, path)
		if !ok {
			return
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			diffs = append(diffs, fmt.Sprintf("%s: natsaudit read %v, nats-server %v", path, got, want))
		}
	}
	cmp("port", o.Port)
	cmp("host", o.Host)
	cmp("server_name", o.ServerName)
	cmp("http_port", o.HTTPPort)
	cmp("max_payload", o.MaxPayload)
	cmp("max_pending", o.MaxPending)
	if o.MaxConn == -1 {
		cmp("max_connections", 0) // nats-server stores "0: refuse all" as -1
	} else {
		cmp("max_connections", o.MaxConn)
	}
	cmp("ping_interval", int64(o.PingInterval))
	cmp("write_deadline", int64(o.WriteDeadline))
	cmp("lame_duck_duration", int64(o.LameDuckDuration))
	cmp("no_auth_user", o.NoAuthUser)
	cmp("system_account", o.SystemAccount)
	cmp("jetstream/enabled", o.JetStream)
	cmp("jetstream/store_dir", o.StoreDir)
	cmp("jetstream/max_memory_store", o.JetStreamMaxMemory)
	cmp("jetstream/max_file_store", o.JetStreamMaxStore)
	cmp("cluster/name", o.Cluster.Name)
	cmp("cluster/port", o.Cluster.Port)
	cmp("cluster/host", o.Cluster.Host)
	cmp("leafnodes/port", o.LeafNode.Port)
	cmp("gateway/name", o.Gateway.Name)
	cmp("gateway/port", o.Gateway.Port)
	cmp("websocket/port", o.Websocket.Port)
	cmp("mqtt/port", o.MQTT.Port)
	if _, ok := lookupPath(c, "tls"); ok && o.TLSConfig == nil {
		diffs = append(diffs, "tls: natsaudit read a tls block, nats-server has no TLS config")
	}
	// Every user natsaudit read is a user (or nkey user) of nats-server.
	if users, ok := lookupPath(c, "authorization/users"); ok {
		known := map[string]bool{}
		for _, u := range o.Users {
			known[u.Username] = true
		}
		for _, u := range o.Nkeys {
			known[u.Nkey] = true
		}
		l, _ := users.([]any)
		for i, u := range l {
			m, _ := u.(map[string]any)
			name, _ := m["user"].(string)
			if name == "" {
				name, _ = m["nkey"].(string)
			}
			if !known[name] {
				diffs = append(diffs, fmt.Sprintf("authorization/users/%d: natsaudit read user %q, nats-server has no such user", i, name))
			}
		}
	}
	return diffs
}

func lookupPath(c map[string]any, path string) (any, bool) {
	var cur any = c
	for _, k := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

type snippet struct {
	text string
	line int
}

// goTestConfigs extracts the configs nats-server's tests write with
// createConfFile(t, []byte(`...`)) or []byte(fmt.Sprintf(`...`, args)).
func goTestConfigs(t *testing.T, p string) []snippet {
	fset := token.NewFileSet()
	f, err := goparser.ParseFile(fset, p, nil, 0)
	if err != nil {
		return nil
	}
	var out []snippet
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "createConfFile" {
			return true
		}
		conv, ok := call.Args[1].(*ast.CallExpr)
		if !ok || len(conv.Args) != 1 {
			return true
		}
		arg := conv.Args[0]
		var lit *ast.BasicLit
		sprintf := false
		switch x := arg.(type) {
		case *ast.BasicLit:
			lit = x
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(x.Args) > 0 {
				lit, _ = x.Args[0].(*ast.BasicLit)
				sprintf = true
			}
		}
		if lit == nil || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if sprintf {
			s = fillVerbs(s)
		}
		out = append(out, snippet{s, fset.Position(lit.Pos()).Line})
		return true
	})
	return out
}

var verbRe = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// fillVerbs replaces fmt verbs with plausible values: numbers for %d, a word
// for %s and %v, a quoted word for %q.
func fillVerbs(s string) string {
	return verbRe.ReplaceAllStringFunc(s, func(v string) string {
		switch v[len(v)-1] {
		case 'd':
			return "4222"
		case 'q':
			return `"x"`
		case '%':
			return "%"
		case 't':
			return "true"
		default:
			return "x"
		}
	})
}

// markdownConfigs returns the fenced code blocks of a Markdown file.
func markdownConfigs(t *testing.T, p string) []snippet {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []snippet
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	var cur []string
	in, start, line := false, 0, 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			if in {
				out = append(out, snippet{strings.Join(cur, "\n") + "\n", start})
				cur, in = nil, false
			} else {
				lang := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "```"))
				if lang == "" || lang == "text" || lang == "conf" || lang == "hcl" || lang == "yaml" || lang == "nginx" || lang == "properties" {
					in, start = true, line+1
				} else {
					in, start = true, -1
				}
			}
			continue
		}
		if in && start > 0 {
			cur = append(cur, l)
		}
	}
	// Blocks in a language other than the config's are dropped.
	kept := out[:0]
	for _, s := range out {
		if s.line > 0 && strings.TrimSpace(s.text) != "" {
			kept = append(kept, s)
		}
	}
	return kept
}
