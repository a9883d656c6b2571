package kube

import (
	"encoding/base64"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/secret"
)

// value is one key of a ConfigMap or Secret, kept in memory only.
type value struct {
	text string
	node *yaml.Node // the value node (a block scalar, a quoted string, base64)
	// literal is true when the text is the node's own value (a ConfigMap
	// data or Secret stringData entry); false for base64 data, whose lines
	// do not match the decoded text.
	literal bool
	obj     *object
	key     string
	// disk is the repository file a generated key is (kustomize files:).
	disk string
	at   model.Location
}

// keyValue returns the value of key in a ConfigMap (data) or Secret
// (stringData, then data decoded from base64).
func keyValue(o *object, key string) (value, bool) {
	if o == nil {
		return value{}, false
	}
	if o.gen != nil {
		g, ok := o.gen[key]
		return value{text: g.text, obj: o, key: key, disk: g.disk, at: g.at}, ok
	}
	if o.kind == "Secret" {
		if _, v := get(at(o.node, "stringData"), key); v != nil && v.Kind == yaml.ScalarNode {
			return value{text: v.Value, node: v, literal: true, obj: o, key: key}, true
		}
		if _, v := get(at(o.node, "data"), key); v != nil && v.Kind == yaml.ScalarNode {
			b, err := decodeBase64(v.Value)
			if err != nil {
				return value{}, false
			}
			return value{text: string(b), node: v, obj: o, key: key}, true
		}
		return value{}, false
	}
	if _, v := get(at(o.node, "data"), key); v != nil && v.Kind == yaml.ScalarNode {
		return value{text: v.Value, node: v, literal: true, obj: o, key: key}, true
	}
	return value{}, false
}

// keys lists the keys of a ConfigMap's data or a Secret's data and
// stringData, sorted.
func keys(o *object) []string {
	seen := map[string]bool{}
	for k := range o.gen {
		seen[k] = true
	}
	for _, sect := range []string{"data", "stringData"} {
		for _, p := range pairs(at(o.node, sect)) {
			seen[p[0].Value] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// secretsObjects turns every Secret with committed values into facts.
// Values are analysed here and remembered for redaction (both the decoded
// value and its base64 form, which is as good as the value); they never
// leave the process.
func (l *loader) secretsObjects() {
	l.kubeSecret = map[*object]*model.KubeSecret{}
	a := l.opt.Secrets
	for _, o := range l.objs {
		if o.kind != "Secret" {
			continue
		}
		ks := keys(o)
		if len(ks) == 0 {
			continue
		}
		s := &model.KubeSecret{Name: o.name, Namespace: o.namespace, File: o.file, Type: str(o.node, "type"), Source: "manifest",
			Keys: map[string]*model.Secret{}, UsedBy: []string{}, Locs: model.Locations{}}
		if o.gen != nil {
			s.Locs.Set("", l.loc(o.file, at(o.node, "name"))) // the generator entry's name
		} else {
			s.Locs.Set("", l.loc(o.file, at(o.node, "metadata", "name")))
		}
		for _, k := range ks {
			v, ok := keyValue(o, k)
			var f *model.Secret
			if !ok {
				f = &model.Secret{Secret: true, Origin: "literal"}
				l.errorf(o.file, lineOf(o, k), "Secret %s: the value of %s is not valid base64", o.name, k)
			} else {
				f = a.EnvFacts(k, v.text, o.file)
				f.Origin = "literal"
				if isCredentialKey(k, v.text) {
					a.Remember(v.text)
					if !v.literal && v.node != nil {
						a.Remember(strings.TrimSpace(v.node.Value))
					}
				}
			}
			s.Keys[k] = f
			if o.gen != nil {
				s.Locs.Set("keys/"+k, l.keyLoc(o, k))
			} else if kn, _ := get(at(o.node, "stringData"), k); kn != nil {
				s.Locs.Set("keys/"+k, l.loc(o.file, kn))
			} else if kn, _ := get(at(o.node, "data"), k); kn != nil {
				s.Locs.Set("keys/"+k, l.loc(o.file, kn))
			}
		}
		l.kubeSecret[o] = s
		l.res.Secrets = append(l.res.Secrets, s)
	}
}

// isCredentialKey: a Secret key whose value is a credential (by name, or
// by content: an nkey seed, a private key, a creds file).
func isCredentialKey(k, v string) bool {
	t := strings.TrimSpace(v)
	return secret.IsSecretName(k) || secret.IsNkeySeed(t) || secret.IsPrivateKeyPEM(v) ||
		strings.Contains(v, "-----BEGIN USER NKEY SEED-----") || strings.HasSuffix(strings.ToLower(k), ".creds") || strings.HasSuffix(strings.ToLower(k), ".nk")
}

func lineOf(o *object, k string) int {
	for _, sect := range []string{"stringData", "data"} {
		if kn, _ := get(at(o.node, sect), k); kn != nil {
			return kn.Line
		}
	}
	return 0
}

// useSecret records that a server (or NACK account) reads a Secret.
func (l *loader) useSecret(o *object, by string) {
	s := l.kubeSecret[o]
	if s == nil {
		return
	}
	for _, u := range s.UsedBy {
		if u == by {
			return
		}
	}
	s.UsedBy = append(s.UsedBy, by)
	sort.Strings(s.UsedBy)
}

// accounts links NACK Account resources to the Secrets holding their
// credentials (creds, user/password, token, TLS).
func (l *loader) accounts() {
	for _, o := range l.objs {
		if o.kind != "Account" {
			continue
		}
		spec := at(o.node, "spec")
		for _, k := range []string{"creds", "token", "user", "tls", "nkey"} {
			name := str(spec, k, "secret", "name")
			if name == "" {
				continue
			}
			if so := l.find(l.secrets, o, name); so != nil {
				l.useSecret(so, "NACK Account "+o.name)
			}
		}
	}
}
