package ci_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// goreleaser is the part of goreleaser v2's configuration natsaudit uses;
// decoding is strict, so a misspelled key fails here instead of at release
// time (goreleaser itself is not installed by make test).
type goreleaser struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Before      struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID           string   `yaml:"id"`
		Main         string   `yaml:"main"`
		Binary       string   `yaml:"binary"`
		Env          []string `yaml:"env"`
		Flags        []string `yaml:"flags"`
		Ldflags      []string `yaml:"ldflags"`
		Goos         []string `yaml:"goos"`
		Goarch       []string `yaml:"goarch"`
		ModTimestamp string   `yaml:"mod_timestamp"`
	} `yaml:"builds"`
	Archives []struct {
		ID              string   `yaml:"id"`
		IDs             []string `yaml:"ids"`
		NameTemplate    string   `yaml:"name_template"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
	Sboms []struct {
		Artifacts string `yaml:"artifacts"`
	} `yaml:"sboms"`
	Changelog struct {
		Use  string `yaml:"use"`
		Sort string `yaml:"sort"`
	} `yaml:"changelog"`
}

// TestGoreleaserConfig: six targets, static, version/commit/date injected
// into variables that exist, checksums and SBOMs, files that exist.
func TestGoreleaserConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var g goreleaser
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&g); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if g.Version != 2 || len(g.Builds) != 1 || len(g.Archives) != 1 {
		t.Fatalf("want goreleaser v2, one build, one archive: %+v", g)
	}
	b := g.Builds[0]
	if _, err := os.Stat(filepath.Join(root, b.Main)); err != nil {
		t.Errorf("main %s: %v", b.Main, err)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("goos lacks %s", os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("goarch lacks %s", arch)
		}
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Error("not a static build (CGO_ENABLED=0)")
	}
	cli, err := os.ReadFile(filepath.Join(root, "internal", "cli", "cli.go"))
	if err != nil {
		t.Fatal(err)
	}
	injected := regexp.MustCompile(`-X github.com/natsaudit/natsaudit/internal/cli\.(\w+)=`)
	seen := map[string]bool{}
	for _, l := range b.Ldflags {
		for _, m := range injected.FindAllStringSubmatch(l, -1) {
			seen[m[1]] = true
			if !regexp.MustCompile(`(?m)^var (\w+, )*` + m[1] + `\b|^var ` + m[1] + ` =`).Match(cli) {
				t.Errorf("ldflags set cli.%s, which internal/cli/cli.go does not declare", m[1])
			}
		}
	}
	for _, v := range []string{"Version", "Commit", "Date"} {
		if !seen[v] {
			t.Errorf("ldflags do not inject cli.%s", v)
		}
	}
	if g.Checksum.Algorithm != "sha256" || len(g.Sboms) == 0 {
		t.Errorf("checksums %+v, sboms %+v", g.Checksum, g.Sboms)
	}
	for _, f := range g.Archives[0].Files {
		if m, _ := filepath.Glob(filepath.Join(root, f)); len(m) == 0 {
			t.Errorf("archive file %s matches nothing", f)
		}
	}
}

// TestDockerfile: multi-stage, a static binary, a non-root final stage,
// OCI labels, and only instructions Docker knows (no Docker engine here to
// build it).
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"FROM": true, "RUN": true, "COPY": true, "ARG": true, "ENV": true, "WORKDIR": true, "USER": true, "LABEL": true, "ENTRYPOINT": true, "CMD": true, "EXPOSE": true}
	var froms, users []string
	labels := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	cont := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		wasCont := cont
		cont = strings.HasSuffix(line, "\\")
		if line == "" || strings.HasPrefix(line, "#") || wasCont {
			if wasCont {
				labels += line
			}
			continue
		}
		instr := strings.Fields(line)[0]
		if !known[instr] {
			t.Errorf("unknown instruction %q", instr)
		}
		switch instr {
		case "FROM":
			froms = append(froms, line)
		case "USER":
			users = append(users, line)
		case "LABEL":
			labels += line
		}
	}
	if len(froms) < 2 {
		t.Errorf("want a multi-stage build, got %v", froms)
	}
	if last := froms[len(froms)-1]; !strings.Contains(last, "distroless") && !strings.Contains(last, "scratch") {
		t.Errorf("final stage %q: want distroless or scratch", last)
	}
	if len(users) == 0 || strings.Contains(users[len(users)-1], "root:") && !strings.Contains(users[len(users)-1], "nonroot") {
		t.Errorf("final stage runs as %v, want a non-root user", users)
	}
	if !strings.Contains(string(data), "CGO_ENABLED=0") {
		t.Error("binary is not static (CGO_ENABLED=0)")
	}
	for _, l := range []string{"org.opencontainers.image.source", "org.opencontainers.image.version", "org.opencontainers.image.revision"} {
		if !strings.Contains(labels, l) {
			t.Errorf("missing OCI label %s", l)
		}
	}
}
