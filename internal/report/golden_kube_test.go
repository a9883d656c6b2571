package report_test

import "testing"

// TestGoldenKubernetesAndHelm: the reports of the Kubernetes and Helm
// example repos, as JSON (every field a consumer reads) and text.
func TestGoldenKubernetesAndHelm(t *testing.T) {
	for _, name := range []string{"kubernetes", "helm"} {
		t.Run(name, func(t *testing.T) {
			r := scan(t, "../../testdata/repos/"+name)
			r.Scan.Roots = []string{"testdata/repos/" + name}
			if len(r.Findings) == 0 {
				t.Fatal("no findings: the goldens would show nothing")
			}
			opt := renderOpts(t)
			opt.SourceRoot = "testdata/repos/" + name
			golden(t, name+".json", render(t, "json", r, opt))
			golden(t, name+".txt", render(t, "text", r, opt))
		})
	}
}
