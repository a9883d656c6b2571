package assemble

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/natsaudit/natsaudit/internal/model"
)

// Linking (docs/model.md, "Clusters and links"): which servers form one
// cluster, and which servers a stream definition file belongs to, come from
// what connects them in the repository, never from a name alone. A sample
// collection with four independent 3-node clusters all named C1 has four
// clusters of 3, not one of 12.

// clusterGroups sets Server.ClusterGroup. Servers with the same cluster
// name are one cluster when
//   - they are services of one compose project;
//   - they are stand-alone configs in the same directory, or in sibling
//     directories (node1/, node2/, node3/ of one layout);
//   - one's routes name the other (server_name, config name or compose
//     service), resolved to the nearest server by directory when several
//     servers carry the name.
func (b *builder) clusterGroups() {
	// member is a server with a cluster name; dir is the directory of its
	// config (else of its compose file).
	var ms []member
	for _, s := range b.inv.Servers {
		c, _ := s.Config["cluster"].(map[string]any)
		name, _ := c["name"].(string)
		if name == "" {
			continue
		}
		m := member{s: s, name: name, project: b.projects[s], dir: homeDir(s)}
		ms = append(ms, m)
	}
	parent := make([]int, len(ms))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(i, j int) {
		ri, rj := find(i), find(j)
		if ri < rj {
			parent[rj] = ri
		} else if rj < ri {
			parent[ri] = rj
		}
	}
	lm := make([]linkMember, len(ms))
	for i, m := range ms {
		lm[i] = m.link()
	}
	// Names under which each server is reachable, for routes.
	byName := map[string][]int{}
	for i, m := range ms {
		for _, n := range serverNames(m.s) {
			byName[n] = append(byName[n], i)
		}
	}
	// One compose project, or stand-alone configs side by side: a key
	// each, so that linking stays linear in the number of servers.
	first := map[string]int{}
	for i, a := range ms {
		var k string
		switch {
		case a.project != "":
			k = "project\x00" + a.project
		case a.dir == ".":
			k = "dir\x00."
		default:
			k = "siblings\x00" + path.Dir(a.dir)
		}
		k = a.name + "\x00" + k
		if j, ok := first[k]; ok {
			union(i, j)
		} else {
			first[k] = i
		}
	}
	for i, a := range ms {
		for _, host := range routeHosts(a.s) {
			if j, ok := resolveRoute(lm, i, byName[host]); ok {
				union(i, j)
			}
		}
	}
	for i, m := range ms {
		root := ms[find(i)]
		m.s.ClusterGroup = fmt.Sprintf("%s@%s", m.name, root.s.Ref)
	}
}

// linkMember is what route resolution needs of a server.
type linkMember struct {
	name, project, dir string
}

// resolveRoute picks the server a route host names, among cands (servers
// carrying that name): none when the route names the server itself; inside
// a compose project only a service of that project (service names resolve on
// the project's network); else the nearest server by directory.
func resolveRoute(ms []linkMember, i int, cands []int) (int, bool) {
	a := ms[i]
	best, bestLen := -1, 0
	for _, j := range cands {
		if j == i {
			return 0, false // a route to itself (the list names every member)
		}
	}
	for _, j := range cands {
		o := ms[j]
		if o.name != a.name {
			continue
		}
		if a.project != "" {
			if o.project == a.project {
				return j, true
			}
			continue
		}
		l := commonDirLen(a.dir, o.dir)
		if a.dir == "." && o.dir == "." {
			l = 1
		}
		if l > bestLen {
			best, bestLen = j, l
		}
	}
	return best, best >= 0
}

type member struct {
	s       *model.Server
	name    string
	project string
	dir     string
}

func (m member) link() linkMember { return linkMember{m.name, m.project, m.dir} }

// homeDir is the directory a server is defined in: its config file's, else
// its compose file's.
func homeDir(s *model.Server) string {
	if s.ConfigFile != "" {
		return path.Dir(s.ConfigFile)
	}
	if s.Deployment != nil && s.Deployment.File != "" {
		return path.Dir(s.Deployment.File)
	}
	return "."
}

// homeDirs are every directory a server is defined in (config and compose
// file).
func homeDirs(s *model.Server) []string {
	var out []string
	if s.ConfigFile != "" {
		out = append(out, path.Dir(s.ConfigFile))
	}
	if s.Deployment != nil && s.Deployment.File != "" {
		out = append(out, path.Dir(s.Deployment.File))
	}
	return out
}

// commonDirLen counts the leading path components two directories share.
func commonDirLen(a, b string) int {
	if a == "." || b == "." {
		return 0
	}
	pa, pb := strings.Split(a, "/"), strings.Split(b, "/")
	n := 0
	for n < len(pa) && n < len(pb) && pa[n] == pb[n] {
		n++
	}
	return n
}

func serverNames(s *model.Server) []string {
	set := map[string]bool{strings.ToLower(s.Name): true}
	if n, ok := s.Config["server_name"].(string); ok && n != "" {
		set[strings.ToLower(n)] = true
	}
	if s.Deployment != nil && s.Deployment.Service != "" {
		set[strings.ToLower(s.Deployment.Service)] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// routeHosts are the host names of a server's cluster routes.
func routeHosts(s *model.Server) []string {
	c, _ := s.Config["cluster"].(map[string]any)
	var routes []any
	switch r := c["routes"].(type) {
	case []any:
		routes = r
	case string:
		routes = []any{r}
	}
	var out []string
	for _, r := range routes {
		u, ok := r.(string)
		if !ok {
			continue
		}
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
		}
		if i := strings.LastIndexByte(u, '@'); i >= 0 {
			u = u[i+1:]
		}
		if i := strings.IndexAny(u, ":/"); i >= 0 {
			u = u[:i]
		}
		if u != "" {
			out = append(out, strings.ToLower(u))
		}
	}
	return out
}

// linkDefinitions sets LinkedServers of the stream and consumer definition
// files: the servers defined in the nearest directory, the file's own or
// an ancestor, that has any (nats-solo/nats-box/stream.json belongs to the
// servers of nats-solo/, not to those of nats-cluster/).
func (b *builder) linkDefinitions() {
	if len(b.inv.Servers) == 0 {
		return
	}
	// Each server's directories once: the loops below ask for them for
	// every directory that holds definitions (quadratic work otherwise).
	homes := make([][]string, len(b.inv.Servers))
	for i, s := range b.inv.Servers {
		homes[i] = homeDirs(s)
	}
	cache := map[string][]model.Ref{}
	linked := func(file string) []model.Ref {
		dir := path.Dir(file)
		if r, ok := cache[dir]; ok {
			return r
		}
		var out []model.Ref
		for d := dir; ; d = path.Dir(d) {
			under := d + "/"
			for i, s := range b.inv.Servers {
				for _, h := range homes[i] {
					if d == "." || h == d || strings.HasPrefix(h, under) {
						out = append(out, s.Ref)
						break
					}
				}
			}
			if len(out) > 0 || d == "." || d == "/" {
				break
			}
		}
		cache[dir] = out
		return out
	}
	// A shell script names its servers by URL or context, which say nothing
	// of the repository: its streams belong to the servers of its own
	// directory (and below) only, never to an ancestor's. The examples of a
	// sample collection start their servers from here-documents, and are
	// not the servers a sibling example defines.
	own := func(file string) []model.Ref {
		dir := path.Dir(file)
		under := dir + "/"
		var out []model.Ref
		for i, s := range b.inv.Servers {
			for _, h := range homes[i] {
				if dir == "." || h == dir || strings.HasPrefix(h, under) {
					out = append(out, s.Ref)
					break
				}
			}
		}
		return out
	}
	for _, st := range b.inv.Streams {
		switch {
		case st.File == "" || st.Source == "live":
		case st.Source == "script":
			st.LinkedServers = own(st.File)
		default:
			st.LinkedServers = linked(st.File)
		}
	}
}
