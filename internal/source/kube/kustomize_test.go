package kube

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/natsaudit/natsaudit/internal/model"
)

// loadTree loads a repository: the files that discovery gives the source
// (YAML with apiVersion and kind) are the inputs, the others are read
// through Options.Read, as the assembler does.
func loadTree(t *testing.T, tree map[string]string) *Result {
	t.Helper()
	var names []string
	for n := range tree {
		names = append(names, n)
	}
	sort.Strings(names)
	var in []Input
	for _, n := range names {
		if Recognise(n, []byte(tree[n])) {
			in = append(in, Input{Rel: n, Data: []byte(tree[n])})
		}
	}
	read := func(rel string) ([]byte, error) {
		if d, ok := tree[rel]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("not found in the scanned tree")
	}
	return Load(in, Options{Read: read, Paths: names})
}

// The layout of xorkevin/governor's example/anvil_out/governor/nats (a
// configMapGenerator with the server config and literals, a namespace),
// reduced to a workload that mounts the generated ConfigMap itself.
const kStatefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers:
      - name: nats
        image: nats:2.10.24-alpine
        args: [-c, /etc/nats/server.conf]
        envFrom:
        - configMapRef: {name: nats-opts}
        - secretRef: {name: nats-auth}
        volumeMounts:
        - {name: config, mountPath: /etc/nats}
      volumes:
      - {name: config, configMap: {name: nats-config}}
`

const kConf = `server_name: $POD_NAME
port: 4222
include accounts.conf
authorization {
  user: admin
  password: $ADMIN_PASSWORD
}
`

const kKustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: governor
generatorOptions:
  disableNameSuffixHash: true
configMapGenerator:
  - name: nats-config
    files:
      - server.conf
      - accounts.conf=conf/accounts.conf
  - name: nats-opts
    literals:
      - POD_NAME="nats-0"
    envs:
      - nats.env
secretGenerator:
  - name: nats-auth
    literals:
      - ADMIN_PASSWORD=Xk9pQ2vLm7
resources:
  - statefulset.yaml
`

func TestKustomizeGenerators(t *testing.T) {
	base := map[string]string{
		"nats/kustomization.yaml": kKustomization,
		"nats/statefulset.yaml":   kStatefulSet,
		"nats/server.conf":        kConf,
		"nats/conf/accounts.conf": "max_payload: 2MB\n",
		"nats/nats.env":           "# options\nLOG_LEVEL=debug\n\nJS_DOMAIN='hub'\n",
	}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	type want struct {
		configFile string
		portAt     string // file:line of config/port
		payloadAt  string // file:line of config/max_payload (an include)
		env        []string
		secretKeys []string // KubeSecret name/key@file:line
		note       string
		overlays   []string // servers an overlay renders differently
	}
	for _, tc := range []struct {
		name string
		tree map[string]string
		want want
	}{
		{"files, key=path, literals, envs, secret literals", base, want{
			configFile: "nats/server.conf", portAt: "nats/server.conf:2", payloadAt: "nats/conf/accounts.conf:1",
			env:        []string{"ADMIN_PASSWORD@nats/kustomization.yaml:19", "JS_DOMAIN@nats/nats.env:4", "LOG_LEVEL@nats/nats.env:2", "POD_NAME@nats/kustomization.yaml:13"},
			secretKeys: []string{"nats-auth/ADMIN_PASSWORD@nats/kustomization.yaml:19"},
		}},
		{"kustomization without apiVersion and kind, above the manifests", with(
			"nats/kustomization.yaml", "",
			"kustomization.yml", strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(kKustomization,
				"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", ""),
				"server.conf", "nats/server.conf"), "conf/accounts.conf", "nats/conf/accounts.conf"),
		), want{configFile: "nats/server.conf", portAt: "nats/server.conf:2", payloadAt: "nats/conf/accounts.conf:1",
			note: "nats.env: not found"}},
		{"generator file outside the tree is not read", with(
			"nats/kustomization.yaml", strings.Replace(kKustomization, "- server.conf", "- ../../etc/server.conf", 1),
		), want{note: "outside the scanned tree"}},
		{"overlay merge behavior is a note", with(
			"nats/overlays/prod/kustomization.yaml", "resources: [../..]\nconfigMapGenerator:\n- name: nats-config\n  behavior: merge\n  files: [server.conf]\npatches:\n- path: replicas.yaml\n",
		), want{configFile: "nats/server.conf", portAt: "nats/server.conf:2", payloadAt: "nats/conf/accounts.conf:1",
			note: "patch nats/overlays/prod/replicas.yaml: not found in the scanned tree; not applied"}},
		{"two overlays generating the config are not guessed", with(
			"nats/kustomization.yaml", strings.Replace(kKustomization, "  - name: nats-config\n    files:\n      - server.conf\n      - accounts.conf=conf/accounts.conf\n", "", 1),
			"dev/kustomization.yaml", "resources: [../nats]\nconfigMapGenerator:\n- name: nats-config\n  files: [../nats/server.conf, accounts.conf=../nats/conf/accounts.conf]\n",
			"prod/kustomization.yaml", "resources: [../nats]\nconfigMapGenerator:\n- name: nats-config\n  files: [../nats/server.conf, accounts.conf=../nats/conf/accounts.conf]\n",
		), want{note: "generated by several kustomizations that build it (dev/kustomization.yaml, prod/kustomization.yaml)",
			// Each overlay's own rendering reads its own generator.
			overlays: []string{"nats-0 [dev]@nats/server.conf", "nats-0 [prod]@nats/server.conf"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loadTree(t, tc.tree)
			var overlays []string
			bases := *r
			bases.Servers = nil
			for _, s := range r.Servers {
				if strings.Contains(s.Name, " [") {
					overlays = append(overlays, s.Name+"@"+s.ConfigFile)
				} else {
					bases.Servers = append(bases.Servers, s)
				}
			}
			if strings.Join(overlays, " ") != strings.Join(tc.want.overlays, " ") {
				t.Errorf("overlay servers %q, want %q", overlays, tc.want.overlays)
			}
			s := one(t, &bases)
			at := func(key string) string {
				l, ok := s.Locs[key]
				if !ok {
					return ""
				}
				return fmt.Sprintf("%s:%d", l.File, l.Line)
			}
			if s.ConfigFile != tc.want.configFile {
				t.Errorf("config file %q, want %q (config from %q, notes %q)", s.ConfigFile, tc.want.configFile, s.Deployment.Kubernetes.ConfigFrom, r.Notes)
			}
			if got := at("config/port"); got != tc.want.portAt {
				t.Errorf("port at %q, want %q", got, tc.want.portAt)
			}
			if got := at("config/max_payload"); got != tc.want.payloadAt {
				t.Errorf("max_payload at %q, want %q", got, tc.want.payloadAt)
			}
			if tc.want.configFile != "" {
				if got := strings.Join(r.ConfigFiles, ","); got != "nats/conf/accounts.conf,nats/server.conf" {
					t.Errorf("config files %q", got)
				}
				if s.Name != "nats-0" {
					t.Errorf("server_name $POD_NAME from the generator's literal: %q", s.Name)
				}
			}
			if tc.want.env != nil {
				var got []string
				for k := range s.Deployment.Environment {
					got = append(got, k+"@"+at("deployment/environment/"+k))
				}
				sort.Strings(got)
				if strings.Join(got, " ") != strings.Join(tc.want.env, " ") {
					t.Errorf("env\n got %q\nwant %q", got, tc.want.env)
				}
				if f, _ := s.Deployment.Environment["ADMIN_PASSWORD"].(*model.Secret); f == nil || !f.Secret {
					t.Errorf("ADMIN_PASSWORD facts %+v", f)
				}
			}
			if tc.want.secretKeys != nil {
				var got []string
				for _, ks := range r.Secrets {
					for k := range ks.Keys {
						l := ks.Locs["keys/"+k]
						got = append(got, fmt.Sprintf("%s/%s@%s:%d", ks.Name, k, l.File, l.Line))
					}
					if l := ks.Locs[""]; l.File != "nats/kustomization.yaml" || l.Line != 17 {
						t.Errorf("secret %s at %+v, want its generator's name, nats/kustomization.yaml:17", ks.Name, l)
					}
					if strings.Join(ks.UsedBy, ",") != "nats-0" && strings.Join(ks.UsedBy, ",") != "nats" {
						t.Errorf("secret used by %q", ks.UsedBy)
					}
				}
				sort.Strings(got)
				if strings.Join(got, " ") != strings.Join(tc.want.secretKeys, " ") {
					t.Errorf("secrets\n got %q\nwant %q", got, tc.want.secretKeys)
				}
			}
			if tc.want.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.want.note) {
				t.Errorf("notes %q, want one with %q", r.Notes, tc.want.note)
			}
			for _, e := range r.Errors {
				t.Errorf("error %+v", e)
			}
			// Secret values never reach notes or errors.
			if strings.Contains(fmt.Sprint(r.Notes, r.Errors), "Xk9pQ2vLm7") {
				t.Errorf("secret printed: %q", r.Notes)
			}
		})
	}
}

// TestKustomizeHostile: kustomizations that list each other, paths out of
// the tree, remote bases and a file named thousands of times end with notes,
// quickly, and nothing outside the tree is read.
func TestKustomizeHostile(t *testing.T) {
	var many strings.Builder
	many.WriteString("configMapGenerator:\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&many, "- name: g%d\n  files: [big.conf]\n  envs: [big.conf]\n", i)
	}
	tree := map[string]string{
		"a/kustomization.yaml": "resources: [../b, ../../outside, /etc, https://github.com/x/y//base]\n",
		"b/kustomization.yaml": "resources: [../a]\nconfigMapGenerator:\n- name: nats-config\n  files: [../../../etc/passwd, /etc/shadow]\n",
		"c/kustomization.yaml": many.String(),
		"c/big.conf":           strings.Repeat("A=b\n", 100000),
		"a/pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: nats, image: nats:2.14.9}]}\n",
	}
	var reads []string
	r := Load([]Input{{Rel: "a/pod.yaml", Data: []byte(tree["a/pod.yaml"])}}, Options{Paths: []string{"a/kustomization.yaml", "b/kustomization.yaml", "c/kustomization.yaml", "c/big.conf", "a/pod.yaml"},
		Read: func(rel string) ([]byte, error) {
			reads = append(reads, rel)
			if d, ok := tree[rel]; ok {
				return []byte(d), nil
			}
			return nil, fmt.Errorf("not in the tree")
		}})
	for _, rel := range reads {
		if _, ok := tree[rel]; !ok {
			t.Errorf("read %q, which is not a file of the tree", rel)
		}
	}
	if n := strings.Count(strings.Join(reads, " "), "c/big.conf"); n != 1 {
		t.Errorf("c/big.conf read %d times, want once", n)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"a/kustomization.yaml: resources ../../outside, resources /etc, resources https://github.com/x/y//base not applied",
		"file ../../../etc/passwd is outside the scanned tree", "file /etc/shadow is outside the scanned tree",
		"more than 20000 keys; the rest are not read"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q, want %q", r.Notes, want)
		}
	}
	if len(r.Servers) != 1 {
		t.Errorf("servers %d", len(r.Servers))
	}
	for _, e := range r.Errors {
		t.Logf("error %+v", e)
	}
}

// TestKustomizationNamespaceWinsOverGenerator: kustomize's namespace
// transformer gives every object of the build, generated ones included,
// the kustomization's namespace, whatever namespace a generator entry
// names; so the StatefulSet (which gets it too) mounts the generated
// ConfigMap (the rendered build applies the kustomization's namespace
// last, so the generator's own is overridden).
func TestKustomizationNamespaceWinsOverGenerator(t *testing.T) {
	r := loadTree(t, map[string]string{
		"nats/kustomization.yaml": "namespace: governor\nconfigMapGenerator:\n  - name: nats-config\n    namespace: elsewhere\n    files: [server.conf]\nresources: [statefulset.yaml]\n",
		"nats/statefulset.yaml":   kStatefulSet,
		"nats/server.conf":        "port: 4333\n",
	})
	s := one(t, r)
	if s.ConfigFile != "nats/server.conf" {
		t.Errorf("config file %q, want nats/server.conf (config from %q, notes %q)", s.ConfigFile, s.Deployment.Kubernetes.ConfigFrom, r.Notes)
	}
}
