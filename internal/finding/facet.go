package finding

// The facets of the model a rule can judge (METADATA custom.facets). A
// facet is present in a scan when the model has that kind of fact, from
// whichever input format gave it.
const (
	// FacetConfig: a server's nats.conf settings (from a file, a ConfigMap,
	// Helm values or command-line flags).
	FacetConfig = "config"
	// FacetDeployment: how a server runs — image, command, ports, volumes,
	// resources (a compose service, a Kubernetes workload, a Helm release,
	// a script's docker run).
	FacetDeployment = "deployment"
	// FacetKubernetes: the Kubernetes side of a deployment (security
	// context, placement, disruption budget, network policy, Secrets).
	FacetKubernetes = "deployment.kubernetes"
	// FacetEnv: environment files.
	FacetEnv = "env"
	// FacetCredentials: client credentials outside the server's config
	// (NATS CLI contexts, scripts, .creds files).
	FacetCredentials = "credentials"
	// FacetStreams: stream, consumer and bucket definitions.
	FacetStreams = "streams"
	// FacetCerts: certificates.
	FacetCerts = "certs"
	// FacetFiles: committed key and credential files.
	FacetFiles = "files"
	// FacetErrors: inputs that could not be read.
	FacetErrors = "errors"
	// FacetLive: what running servers report.
	FacetLive = "live"
)

// Facets lists every facet a rule may name.
var Facets = []string{FacetConfig, FacetDeployment, FacetKubernetes, FacetEnv, FacetCredentials, FacetStreams, FacetCerts, FacetFiles, FacetErrors, FacetLive}

// ValidFacet reports whether f is one of Facets.
func ValidFacet(f string) bool {
	for _, x := range Facets {
		if x == f {
			return true
		}
	}
	return false
}

// LegacySourceFacets maps the input kinds that rules named before facets
// (METADATA custom.sources) to facets, so that custom rules written for
// natsaudit 0.1 keep loading.
var LegacySourceFacets = map[string][]string{
	"config":     {FacetConfig},
	"compose":    {FacetDeployment},
	"kubernetes": {FacetKubernetes},
	"helm":       {FacetKubernetes},
	"env":        {FacetEnv},
	"context":    {FacetCredentials},
	"script":     {FacetCredentials, FacetDeployment},
	"streams":    {FacetStreams},
	"certs":      {FacetCerts},
	"files":      {FacetFiles},
	"errors":     {FacetErrors},
	"live":       {FacetLive},
}
