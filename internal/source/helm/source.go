package helm

import (
	"regexp"
	"strings"

	"github.com/natsaudit/natsaudit/internal/source"
)

// Kinds of Helm files.
const (
	KindChart  = "helm_chart"  // a Chart.yaml
	KindValues = "helm_values" // values.yaml, values-prod.yaml, nats-values.yaml, ...
)

// Source recognises Helm charts and values (the seam: package source).
type Source struct{}

// Name implements source.Source.
func (Source) Name() string { return "helm" }

// valuesName: values.yaml and its variants (values-prod.yaml,
// values.prod.yaml, nats-values.yaml, values_dev.yml).
var valuesName = regexp.MustCompile(`^(.*[-_.])?values([-_.].*)?\.ya?ml$`)

// Recognise implements source.Source.
func (Source) Recognise(base string, _ bool) source.Match {
	switch {
	case base == "Chart.yaml" || base == "Chart.yml":
		return source.Match{Kind: KindChart, Level: source.Certain}
	case valuesName.MatchString(strings.ToLower(base)):
		return source.Match{Kind: KindValues, Level: source.Certain}
	}
	return source.Match{}
}

// Content implements source.Source: names decide.
func (Source) Content(string, []byte, bool) string { return "" }

// Comments implements source.Source.
func (Source) Comments(string, string) source.Comments { return source.Hash }
