// Package streams reads JetStream stream and consumer definitions kept in
// repositories: the JSON that `nats stream add --config` and `nats stream info
// --json` use, consumer JSON, and NACK Stream/Consumer resources. All map to
// the jsz shape (nats JSON field names, durations in ns, server defaults
// applied) so stream rules run unchanged on files and live servers.
package streams

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/natsaudit/natsaudit/internal/model"
	"github.com/natsaudit/natsaudit/internal/source/yamllimit"
)

// Result is what one file defines.
type Result struct {
	Streams   []*model.Stream
	Consumers []*model.Consumer
	Errors    []model.ParseError
	// Recognised is false when the file holds nothing stream-like (then it
	// is simply not a stream file).
	Recognised bool
}

// Parse reads a JSON or YAML file.
func Parse(rel string, data []byte) *Result {
	res := &Result{}
	if err := yamllimit.Check(data); err != nil {
		// Too big to decode safely: report it when it looks like a stream
		// or NACK file, otherwise it is simply not one.
		if looksStream(data) || nackRe.Match(data) {
			res.Recognised = true
			res.Errors = append(res.Errors, model.ParseError{File: rel, Kind: "stream", Message: err.Error()})
		}
		return res
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 0; doc < 1000; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if res.Recognised || strings.HasSuffix(rel, ".json") && looksStream(data) || nackRe.Match(data) {
				res.Recognised = true
				res.Errors = append(res.Errors, model.ParseError{File: rel, Line: errLine(err), Kind: "stream",
					Message: yamlPrefixRe.ReplaceAllString(err.Error(), "")})
			}
			break
		}
		if len(n.Content) == 0 {
			continue
		}
		if err := yamllimit.CheckDepth(&n); err != nil {
			res.Recognised = true
			res.Errors = append(res.Errors, model.ParseError{File: rel, Line: n.Line, Kind: "stream", Message: err.Error()})
			break
		}
		res.doc(rel, n.Content[0])
	}
	return res
}

var nackRe = regexp.MustCompile(`(?m)^\s*apiVersion:\s*["']?jetstream\.nats\.io/`)

var streamKeyRe = regexp.MustCompile(`"(num_replicas|retention|subjects|discard|durable_name|ack_policy)"`)

func looksStream(data []byte) bool { return streamKeyRe.Match(data) }

var lineRe = regexp.MustCompile(`line (\d+)`)

// yamlPrefixRe is the "yaml: line N: " a yaml.v3 error starts with: the
// report shows file:line already.
var yamlPrefixRe = regexp.MustCompile(`^(yaml: )?(line \d+: )?`)

func errLine(err error) int {
	if m := lineRe.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// tree is a decoded mapping with positions.
type tree struct {
	n    *yaml.Node
	file string
}

func (t tree) get(key string) (*yaml.Node, *yaml.Node) {
	if t.n == nil || t.n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(t.n.Content); i += 2 {
		if t.n.Content[i].Value == key {
			return t.n.Content[i], t.n.Content[i+1]
		}
	}
	return nil, nil
}

func (t tree) sub(key string) tree {
	_, v := t.get(key)
	if v == nil || v.Kind != yaml.MappingNode {
		return tree{file: t.file}
	}
	return tree{n: v, file: t.file}
}

func (t tree) str(key string) string {
	_, v := t.get(key)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// Document reads one decoded YAML document (a NACK resource, a stream or
// consumer definition) of the file rel: the Kubernetes source hands over
// the NACK resources of the manifests it reads.
func (r *Result) Document(rel string, n *yaml.Node) {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n != nil {
		r.doc(rel, n)
	}
}

func (r *Result) doc(rel string, n *yaml.Node) {
	t := tree{n: n, file: rel}
	if n.Kind != yaml.MappingNode {
		return
	}
	if api := t.str("apiVersion"); strings.HasPrefix(api, "jetstream.nats.io/") {
		r.Recognised = true
		switch t.str("kind") {
		case "Stream":
			r.nackStream(t)
		case "Consumer":
			r.nackConsumer(t)
		case "KeyValue":
			r.nackBucket(t, "KV_", kvNACK)
		case "ObjectStore":
			r.nackBucket(t, "OBJ_", objNACK)
		}
		return
	}
	// `nats stream info --json` wraps the config.
	cfg := t
	var state, cluster tree
	if _, c := t.get("config"); c != nil && c.Kind == yaml.MappingNode {
		cfg = t.sub("config")
		state, cluster = t.sub("state"), t.sub("cluster")
	}
	switch {
	case isStream(cfg):
		r.Recognised = true
		r.jsonStream(cfg, state, cluster, t)
	case isConsumer(cfg):
		r.Recognised = true
		r.jsonConsumer(cfg, t)
	}
}

func isStream(t tree) bool {
	if t.str("name") == "" {
		return false
	}
	for _, k := range []string{"subjects", "retention", "num_replicas", "storage", "discard", "max_msgs", "max_bytes", "max_age", "mirror", "sources"} {
		if k, _ := t.get(k); k != nil {
			return true
		}
	}
	return false
}

func isConsumer(t tree) bool {
	for _, k := range []string{"durable_name", "ack_policy", "deliver_policy", "max_deliver"} {
		if k, _ := t.get(k); k != nil {
			return true
		}
	}
	return false
}

// field describes how one source key maps onto the jsz field.
type field struct {
	src, dst string
	kind     byte // 's' string, 'i' int, 'd' duration, 'D' list of durations, 'b' bool, 'a' any (kept), 'l' list of strings
}

var streamJSON = []field{
	{"name", "name", 's'}, {"description", "description", 's'}, {"subjects", "subjects", 'l'},
	{"retention", "retention", 's'}, {"max_consumers", "max_consumers", 'i'}, {"max_msgs", "max_msgs", 'i'},
	{"max_bytes", "max_bytes", 'i'}, {"max_age", "max_age", 'i'}, {"max_msgs_per_subject", "max_msgs_per_subject", 'i'},
	{"max_msg_size", "max_msg_size", 'i'}, {"discard", "discard", 's'}, {"storage", "storage", 's'},
	{"num_replicas", "num_replicas", 'i'}, {"no_ack", "no_ack", 'b'}, {"duplicate_window", "duplicate_window", 'i'},
	{"placement", "placement", 'a'}, {"mirror", "mirror", 'a'}, {"sources", "sources", 'a'},
	{"compression", "compression", 's'}, {"sealed", "sealed", 'b'}, {"deny_delete", "deny_delete", 'b'},
	{"deny_purge", "deny_purge", 'b'}, {"allow_rollup_hdrs", "allow_rollup_hdrs", 'b'}, {"allow_direct", "allow_direct", 'b'},
	{"discard_new_per_subject", "discard_new_per_subject", 'b'}, {"consumer_limits", "consumer_limits", 'a'},
	{"allow_msg_ttl", "allow_msg_ttl", 'b'}, {"metadata", "metadata", 'a'}, {"republish", "republish", 'a'},
}

var streamNACK = []field{
	{"name", "name", 's'}, {"description", "description", 's'}, {"subjects", "subjects", 'l'},
	{"retention", "retention", 's'}, {"maxConsumers", "max_consumers", 'i'}, {"maxMsgs", "max_msgs", 'i'},
	{"maxBytes", "max_bytes", 'i'}, {"maxAge", "max_age", 'd'}, {"maxMsgsPerSubject", "max_msgs_per_subject", 'i'},
	{"maxMsgSize", "max_msg_size", 'i'}, {"discard", "discard", 's'}, {"storage", "storage", 's'},
	{"replicas", "num_replicas", 'i'}, {"noAck", "no_ack", 'b'}, {"duplicateWindow", "duplicate_window", 'd'},
	{"placement", "placement", 'a'}, {"mirror", "mirror", 'a'}, {"sources", "sources", 'a'},
	{"compression", "compression", 's'}, {"sealed", "sealed", 'b'}, {"denyDelete", "deny_delete", 'b'},
	{"denyPurge", "deny_purge", 'b'}, {"allowRollup", "allow_rollup_hdrs", 'b'}, {"allowDirect", "allow_direct", 'b'},
	{"discardPerSubject", "discard_new_per_subject", 'b'}, {"consumerLimits", "consumer_limits", 'a'},
	{"allowMsgTtl", "allow_msg_ttl", 'b'}, {"metadata", "metadata", 'a'}, {"account", "account_ref", 'a'},
}

// kvNACK and objNACK map NACK KeyValue and ObjectStore specs onto the
// stream that backs the bucket (KV_<bucket>, OBJ_<bucket>), in the shape the
// live server reports it.
var kvNACK = []field{
	{"description", "description", 's'}, {"maxValueSize", "max_msg_size", 'i'}, {"history", "max_msgs_per_subject", 'i'},
	{"ttl", "max_age", 'd'}, {"maxBytes", "max_bytes", 'i'}, {"storage", "storage", 's'}, {"replicas", "num_replicas", 'i'},
	{"placement", "placement", 'a'}, {"republish", "republish", 'a'}, {"mirror", "mirror", 'a'}, {"sources", "sources", 'a'},
	{"compression", "compression", 'b'}, {"account", "account_ref", 'a'},
}

var objNACK = []field{
	{"description", "description", 's'}, {"ttl", "max_age", 'd'}, {"maxBytes", "max_bytes", 'i'}, {"storage", "storage", 's'},
	{"replicas", "num_replicas", 'i'}, {"placement", "placement", 'a'}, {"compression", "compression", 'b'},
	{"account", "account_ref", 'a'},
}

var consumerJSON = []field{
	{"durable_name", "durable_name", 's'}, {"name", "name", 's'}, {"description", "description", 's'},
	{"deliver_policy", "deliver_policy", 's'}, {"ack_policy", "ack_policy", 's'}, {"ack_wait", "ack_wait", 'i'},
	{"max_deliver", "max_deliver", 'i'}, {"backoff", "backoff", 'a'}, {"filter_subject", "filter_subject", 's'},
	{"filter_subjects", "filter_subjects", 'l'}, {"replay_policy", "replay_policy", 's'}, {"max_waiting", "max_waiting", 'i'},
	{"max_ack_pending", "max_ack_pending", 'i'}, {"deliver_subject", "deliver_subject", 's'}, {"deliver_group", "deliver_group", 's'},
	{"inactive_threshold", "inactive_threshold", 'i'}, {"num_replicas", "num_replicas", 'i'}, {"mem_storage", "mem_storage", 'b'},
	{"idle_heartbeat", "idle_heartbeat", 'i'}, {"flow_control", "flow_control", 'b'}, {"rate_limit_bps", "rate_limit_bps", 'i'},
	{"headers_only", "headers_only", 'b'}, {"metadata", "metadata", 'a'},
}

var consumerNACK = []field{
	{"durableName", "durable_name", 's'}, {"name", "name", 's'}, {"description", "description", 's'},
	{"deliverPolicy", "deliver_policy", 's'}, {"ackPolicy", "ack_policy", 's'}, {"ackWait", "ack_wait", 'd'},
	{"maxDeliver", "max_deliver", 'i'}, {"backoff", "backoff", 'D'}, {"filterSubject", "filter_subject", 's'},
	{"filterSubjects", "filter_subjects", 'l'}, {"replayPolicy", "replay_policy", 's'}, {"maxWaiting", "max_waiting", 'i'},
	{"maxAckPending", "max_ack_pending", 'i'}, {"deliverSubject", "deliver_subject", 's'}, {"deliverGroup", "deliver_group", 's'},
	{"inactiveThreshold", "inactive_threshold", 'd'}, {"replicas", "num_replicas", 'i'}, {"memStorage", "mem_storage", 'b'},
	{"heartbeatInterval", "idle_heartbeat", 'd'}, {"flowControl", "flow_control", 'b'}, {"rateLimitBps", "rate_limit_bps", 'i'},
	{"headersOnly", "headers_only", 'b'}, {"metadata", "metadata", 'a'},
}

// mapFields copies fields from t into out, recording locations under
// "config/<dst>". Values that do not convert are reported.
func mapFields(t tree, fields []field, out map[string]any, locs model.Locations, errs *[]model.ParseError) {
	for _, f := range fields {
		k, v := t.get(f.src)
		if v == nil {
			continue
		}
		locs.Set("config/"+f.dst, model.Location{File: t.file, Line: k.Line, Column: k.Column})
		val, err := convert(v, f.kind)
		if err != nil {
			*errs = append(*errs, model.ParseError{File: t.file, Line: v.Line, Column: v.Column, Kind: "stream",
				Message: fmt.Sprintf("%s: %s", f.src, strings.TrimPrefix(err.Error(), "yaml: "))})
			continue
		}
		if val != nil {
			out[f.dst] = val
		}
	}
}

func convert(v *yaml.Node, kind byte) (any, error) {
	switch kind {
	case 's':
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("expected a string")
		}
		return v.Value, nil
	case 'i':
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("expected a number")
		}
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(v.Value, 64); err == nil {
			return int64(f), nil
		}
		if n, ok := parseBytes(v.Value); ok {
			return n, nil
		}
		return nil, fmt.Errorf("expected a number, got %q", v.Value)
	case 'd':
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("expected a duration")
		}
		if v.Value == "" {
			return int64(0), nil
		}
		if n, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			return n, nil
		}
		d, err := parseDuration(v.Value)
		if err != nil {
			return nil, fmt.Errorf("expected a duration, got %q", v.Value)
		}
		return int64(d), nil
	case 'D':
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("expected a list of durations")
		}
		out := []any{}
		for _, c := range v.Content {
			d, err := convert(c, 'd')
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	case 'b':
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("expected a boolean")
		}
		b, err := strconv.ParseBool(v.Value)
		if err != nil {
			return nil, fmt.Errorf("expected a boolean, got %q", v.Value)
		}
		return b, nil
	case 'l':
		if v.Kind == yaml.ScalarNode {
			return []any{v.Value}, nil
		}
		var out []any
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	default:
		var x any
		if err := v.Decode(&x); err != nil {
			return nil, err
		}
		return normalizeAny(x), nil
	}
}

// normalizeAny turns yaml-decoded values into JSON-like ones.
func normalizeAny(x any) any {
	switch v := x.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalizeAny(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = normalizeAny(e)
		}
		return v
	case int:
		return int64(v)
	}
	return x
}

var daysRe = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseDuration accepts Go durations and a leading day count ("30d", "1d12h").
func parseDuration(s string) (time.Duration, error) {
	if m := daysRe.FindStringSubmatch(s); m != nil {
		days, _ := strconv.Atoi(m[1])
		rest := time.Duration(0)
		if m[2] != "" {
			var err error
			if rest, err = time.ParseDuration(m[2]); err != nil {
				return 0, err
			}
		}
		return time.Duration(days)*24*time.Hour + rest, nil
	}
	return time.ParseDuration(s)
}

var bytesRe = regexp.MustCompile(`(?i)^\s*(\d+)\s*([kmgt]?)i?b?\s*$`)

func parseBytes(s string) (int64, bool) {
	m := bytesRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n * map[string]int64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[strings.ToLower(m[2])], true
}

// StreamDefaults applies nats-server's checkStreamCfg defaults to a stream
// config in the jsz shape (also used for live configs, which an older server
// or an archive may leave incomplete).
func StreamDefaults(c map[string]any) {
	for _, k := range []string{"max_msgs", "max_bytes", "max_msgs_per_subject", "max_consumers", "max_msg_size"} {
		if v, ok := c[k].(int64); !ok || v == 0 {
			c[k] = int64(-1)
		}
	}
	if v, ok := c["num_replicas"].(int64); !ok || v == 0 {
		c["num_replicas"] = int64(1)
	}
	if _, ok := c["max_age"]; !ok {
		c["max_age"] = int64(0)
	}
	def := map[string]string{"discard": "old", "retention": "limits", "storage": "file"}
	for k, d := range def {
		if s, ok := c[k].(string); !ok || s == "" {
			c[k] = d
		} else {
			c[k] = strings.ToLower(s)
		}
	}
	if _, ok := c["subjects"]; !ok {
		c["subjects"] = []any{}
	}
}

// ConsumerDefaults applies nats-server's setConsumerConfigDefaults to a
// consumer config in the jsz shape.
func ConsumerDefaults(c map[string]any) {
	if s, ok := c["ack_policy"].(string); !ok || s == "" {
		c["ack_policy"] = "none"
	} else {
		c["ack_policy"] = strings.ToLower(s)
	}
	if v, ok := c["max_deliver"].(int64); !ok || v == 0 {
		c["max_deliver"] = int64(-1)
	}
	if c["ack_policy"] != "none" {
		if v, ok := c["max_ack_pending"].(int64); !ok || v == 0 {
			c["max_ack_pending"] = int64(1000)
		}
		if v, ok := c["ack_wait"].(int64); !ok || v == 0 {
			c["ack_wait"] = int64(30 * time.Second)
		}
	}
	if s, ok := c["deliver_policy"].(string); !ok || s == "" {
		c["deliver_policy"] = "all"
	}
}

func (r *Result) jsonStream(cfg, state, cluster, whole tree) {
	s := &model.Stream{Source: "file", File: cfg.file, Config: map[string]any{}, Locs: model.Locations{}}
	s.Locs.Set("config", model.Location{File: cfg.file, Line: cfg.n.Line, Column: cfg.n.Column})
	mapFields(cfg, streamJSON, s.Config, s.Locs, &r.Errors)
	StreamDefaults(s.Config)
	s.Name, _ = s.Config["name"].(string)
	decode := func(t tree, what string) map[string]any {
		if t.n == nil {
			return nil
		}
		var x any
		if err := t.n.Decode(&x); err != nil {
			r.Errors = append(r.Errors, model.ParseError{File: t.file, Line: t.n.Line, Column: t.n.Column, Kind: "stream",
				Message: fmt.Sprintf("%s: %s", what, strings.TrimPrefix(err.Error(), "yaml: "))})
			return nil
		}
		m, _ := normalizeAny(x).(map[string]any)
		return m
	}
	s.State = decode(state, "state")
	s.Cluster = decode(cluster, "cluster")
	r.Streams = append(r.Streams, s)
}

func (r *Result) jsonConsumer(cfg, whole tree) {
	c := &model.Consumer{Source: "file", File: cfg.file, Config: map[string]any{}, Locs: model.Locations{}}
	c.Locs.Set("config", model.Location{File: cfg.file, Line: cfg.n.Line, Column: cfg.n.Column})
	mapFields(cfg, consumerJSON, c.Config, c.Locs, &r.Errors)
	ConsumerDefaults(c.Config)
	c.Name, _ = c.Config["durable_name"].(string)
	if c.Name == "" {
		c.Name, _ = c.Config["name"].(string)
	}
	c.Stream = whole.str("stream_name")
	r.Consumers = append(r.Consumers, c)
}

func (r *Result) nackStream(t tree) {
	spec := t.sub("spec")
	s := &model.Stream{Source: "nack", File: t.file, Config: map[string]any{}, Locs: model.Locations{}}
	s.Locs.Set("config", model.Location{File: t.file, Line: t.n.Line, Column: t.n.Column})
	if spec.n != nil {
		s.Locs.Set("config", model.Location{File: t.file, Line: spec.n.Line, Column: spec.n.Column})
		mapFields(spec, streamNACK, s.Config, s.Locs, &r.Errors)
	}
	nackOrigins(s.Config)
	StreamDefaults(s.Config)
	s.Name, _ = s.Config["name"].(string)
	if s.Name == "" {
		s.Name = t.sub("metadata").str("name")
	}
	r.Streams = append(r.Streams, s)
}

// nackBucket maps a NACK KeyValue or ObjectStore onto its stream, with the
// settings nats.go's CreateKeyValue / CreateObjectStore give it.
func (r *Result) nackBucket(t tree, prefix string, fields []field) {
	spec := t.sub("spec")
	s := &model.Stream{Source: "nack", File: t.file, Config: map[string]any{}, Locs: model.Locations{}}
	s.Locs.Set("config", model.Location{File: t.file, Line: t.n.Line, Column: t.n.Column})
	bucket := spec.str("bucket")
	if bucket == "" {
		bucket = t.sub("metadata").str("name")
	}
	if spec.n != nil {
		s.Locs.Set("config", model.Location{File: t.file, Line: spec.n.Line, Column: spec.n.Column})
		mapFields(spec, fields, s.Config, s.Locs, &r.Errors)
		if k, _ := spec.get("bucket"); k != nil {
			s.Locs.Set("config/name", model.Location{File: t.file, Line: k.Line, Column: k.Column})
		}
	}
	nackOrigins(s.Config)
	if b, ok := s.Config["compression"].(bool); ok {
		if b {
			s.Config["compression"] = "s2"
		} else {
			delete(s.Config, "compression")
		}
	}
	s.Config["name"] = prefix + bucket
	s.Config["discard"] = "new"
	s.Config["allow_rollup_hdrs"] = true
	s.Config["allow_direct"] = true
	if prefix == "KV_" {
		s.Config["subjects"] = []any{"$KV." + bucket + ".>"}
		s.Config["deny_delete"] = true
		if v, ok := s.Config["max_msgs_per_subject"].(int64); !ok || v < 1 {
			s.Config["max_msgs_per_subject"] = int64(1)
		}
	} else {
		s.Config["subjects"] = []any{"$O." + bucket + ".C.>", "$O." + bucket + ".M.>"}
	}
	StreamDefaults(s.Config)
	s.Name = prefix + bucket
	r.Streams = append(r.Streams, s)
}

// nackOrigins rewrites the NACK spelling of a mirror's or source's origin
// (StreamSource: externalApiPrefix, externalDeliverPrefix, filterSubject,
// optStartSeq, optStartTime) into the stream config's own (external.api,
// external.deliver, ...), so that an origin in another domain or account
// reads as external (nats-io/nack deploy/examples/stream_mirror.yml).
func nackOrigins(cfg map[string]any) {
	if m, ok := cfg["mirror"].(map[string]any); ok {
		cfg["mirror"] = nackOrigin(m)
	}
	if ss, ok := cfg["sources"].([]any); ok {
		out := make([]any, len(ss))
		for i, x := range ss {
			if m, ok := x.(map[string]any); ok {
				x = nackOrigin(m)
			}
			out[i] = x
		}
		cfg["sources"] = out
	}
}

func nackOrigin(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	ext := map[string]any{}
	for k, v := range m {
		switch k {
		case "externalApiPrefix":
			ext["api"] = v
		case "externalDeliverPrefix":
			ext["deliver"] = v
		case "filterSubject":
			out["filter_subject"] = v
		case "optStartSeq":
			out["opt_start_seq"] = v
		case "optStartTime":
			out["opt_start_time"] = v
		default:
			out[k] = v
		}
	}
	if len(ext) > 0 {
		out["external"] = ext
	}
	return out
}

func (r *Result) nackConsumer(t tree) {
	spec := t.sub("spec")
	c := &model.Consumer{Source: "nack", File: t.file, Config: map[string]any{}, Locs: model.Locations{}}
	c.Locs.Set("config", model.Location{File: t.file, Line: t.n.Line, Column: t.n.Column})
	if spec.n != nil {
		c.Locs.Set("config", model.Location{File: t.file, Line: spec.n.Line, Column: spec.n.Column})
		mapFields(spec, consumerNACK, c.Config, c.Locs, &r.Errors)
		c.Stream = spec.str("streamName")
	}
	ConsumerDefaults(c.Config)
	c.Name, _ = c.Config["durable_name"].(string)
	if c.Name == "" {
		c.Name = t.sub("metadata").str("name")
	}
	r.Consumers = append(r.Consumers, c)
}

// ParseDuration reads a duration the way stream files write them: Go
// durations with a leading day count ("30d", "1d12h").
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }

// ParseBytes reads a size ("1GB", "512MiB", "1024"), for other sources of
// stream definitions (shell scripts).
func ParseBytes(s string) (int64, bool) { return parseBytes(s) }
