package compose

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Docker Compose merges an override file onto its base on its own
// (compose.yaml + compose.override.yaml, docker-compose.yml +
// docker-compose.override.yml); any other file joins a project only when
// the user passes it with -f. So by default a base and its override are one
// project, and every other compose file (docker-compose.prod.yml,
// nats/allinone.yml) is a project of its own. .natsaudit.yaml may declare
// projects (compose: projects:) for the files a team passes together.

var (
	baseRe     = regexp.MustCompile(`^(docker-compose|compose)\.ya?ml$`)
	overrideRe = regexp.MustCompile(`^(docker-compose|compose)\.override\.ya?ml$`)
	variantRe  = regexp.MustCompile(`^(docker-)?compose[.-](.+)\.ya?ml$`)
)

// Group splits compose files into projects: the declared ones first (in
// the order they are declared, files in their given order), then per
// directory each base with its override, then every other file alone. It
// returns notes for declared files that are not compose files of the scan.
func Group(files []Input, declared [][]string) ([][]Input, []string) {
	byRel := map[string]Input{}
	for _, f := range files {
		byRel[f.Rel] = f
	}
	used := map[string]bool{}
	var out [][]Input
	var notes []string
	for i, proj := range declared {
		var g []Input
		for _, rel := range proj {
			rel = path.Clean(rel)
			f, ok := byRel[rel]
			if !ok {
				notes = append(notes, fmt.Sprintf("compose project %d of .natsaudit.yaml lists %s, which is not a compose file of this scan", i+1, rel))
				continue
			}
			if used[rel] {
				notes = append(notes, fmt.Sprintf("compose project %d of .natsaudit.yaml lists %s, which an earlier project has", i+1, rel))
				continue
			}
			used[rel] = true
			g = append(g, f)
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	byDir := map[string][]Input{}
	for _, f := range files {
		if !used[f.Rel] {
			byDir[path.Dir(f.Rel)] = append(byDir[path.Dir(f.Rel)], f)
		}
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		fs := byDir[d]
		sort.Slice(fs, func(i, j int) bool { return fs[i].Rel < fs[j].Rel })
		overrides := map[string]Input{} // "docker-compose" / "compose" -> override
		for _, f := range fs {
			if m := overrideRe.FindStringSubmatch(strings.ToLower(path.Base(f.Rel))); m != nil {
				overrides[m[1]] = f
			}
		}
		for _, f := range fs {
			b := strings.ToLower(path.Base(f.Rel))
			switch {
			case overrideRe.MatchString(b):
				m := overrideRe.FindStringSubmatch(b)
				if !hasBase(fs, m[1]) {
					out = append(out, []Input{f}) // an override without its base
				}
			case baseRe.MatchString(b):
				g := []Input{f}
				if o, ok := overrides[baseRe.FindStringSubmatch(b)[1]]; ok {
					g = append(g, o)
				}
				out = append(out, g)
			default:
				out = append(out, []Input{f})
			}
		}
	}
	return out, notes
}

func hasBase(fs []Input, prefix string) bool {
	for _, f := range fs {
		if m := baseRe.FindStringSubmatch(strings.ToLower(path.Base(f.Rel))); m != nil && m[1] == prefix {
			return true
		}
	}
	return false
}

// Fragments returns the indexes of the one-file projects whose file another
// project reads through extends: or include:: that file is part of the
// other project (like a nats.conf that another includes), not a deployment
// of its own. declared are projects from .natsaudit.yaml, always kept.
func Fragments(projects []*Project, declared map[string]bool) map[int]bool {
	read := map[string]bool{}
	for _, p := range projects {
		for _, r := range p.Read {
			read[r] = true
		}
	}
	out := map[int]bool{}
	for i, p := range projects {
		if len(p.Files) == 1 && read[p.Files[0]] && !declared[p.Files[0]] {
			out[i] = true
		}
	}
	return out
}

// OverrideNotes says which one-file projects look like an override of a
// base in their directory (docker-compose.prod.yml redefining a base
// service without an image or build of its own): Compose merges them only
// with -f, so natsaudit audits them alone unless .natsaudit.yaml declares
// the project. A note, not a finding.
func OverrideNotes(projects []*Project) []string {
	services := map[string]map[string]bool{} // base file -> its services
	baseOf := map[string]string{}            // directory -> first base file
	for _, p := range projects {
		if len(p.Files) == 0 {
			continue
		}
		first := p.Files[0]
		if !baseRe.MatchString(strings.ToLower(path.Base(first))) {
			continue
		}
		if _, ok := baseOf[path.Dir(first)]; !ok {
			baseOf[path.Dir(first)] = first
		}
		names := map[string]bool{}
		for _, s := range p.Services {
			names[s.Name] = true
		}
		services[first] = names
	}
	var out []string
	for _, p := range projects {
		if len(p.Files) != 1 || len(p.incomplete) == 0 {
			continue
		}
		f := p.Files[0]
		if !variantRe.MatchString(strings.ToLower(path.Base(f))) || overrideRe.MatchString(strings.ToLower(path.Base(f))) {
			continue
		}
		base, ok := baseOf[path.Dir(f)]
		if !ok {
			continue
		}
		var shared []string
		for _, n := range p.incomplete {
			if services[base][n] {
				shared = append(shared, n)
			}
		}
		if len(shared) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("%s looks like an override of %s (service %s has no image of its own there): Compose merges it only when both are passed with -f, so it is audited alone; declare the project in .natsaudit.yaml (compose: projects: [[%s, %s]]) to audit them merged",
			f, base, strings.Join(shared, ", "), base, f))
	}
	sort.Strings(out)
	return out
}
