package secret

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// maskPatternsRegexpOnly is MaskPatterns as it was before its cheap
// pre-checks (mayHoldSeed, '@' for URLs): every pattern's regular
// expression decides alone.
func maskPatternsRegexpOnly(s string) string {
	if strings.Contains(s, "-----BEGIN") {
		s = pemBlock.ReplaceAllStringFunc(s, func(m string) string {
			sub := pemBlock.FindStringSubmatch(m)
			end := ""
			if sub[2] == `"` {
				end = `"`
			}
			return "-----BEGIN " + sub[1] + "----- " + Mask + end
		})
	}
	s = NkeySeedAnywhere.ReplaceAllString(s, "${1}"+Mask)
	s = jwtRe.ReplaceAllString(s, Mask)
	s = urlUserinfo.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = urlToken.ReplaceAllString(s, "${1}"+Mask+"${3}")
	return s
}

// TestPrecheckedMaskingIsTheSame: the pre-checks only skip a regular
// expression that cannot match, on seeds of every prefix at every
// position and length around the threshold, URLs with and without
// credentials, and random text built from the characters that matter.
func TestPrecheckedMaskingIsTheSame(t *testing.T) {
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	seed := func(prefix byte, n int) string {
		var sb strings.Builder
		sb.WriteString("S")
		sb.WriteByte(prefix)
		for i := 0; i < n; i++ {
			sb.WriteByte(b32[(i*7+3)%32])
		}
		return sb.String()
	}
	cases := []string{"", "plain words", "nats://host:4222", "nats://tok@host:4222", "nats://u:p@h", "x@y://z", "user@host and http://x"}
	for _, p := range []byte("UAONCXPZ") {
		for _, n := range []int{48, 49, 50, 51, 80} {
			s := seed(p, n)
			cases = append(cases, s, "seed: "+s, s+" tail", "a"+s, "8"+s+"!", "nkey "+strings.ToLower(s), "x=\""+s+"\"")
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"S", "A", "U", "2", "7", "8", "a", " ", ":", "/", "@", "nats://", "://", "eyJ", "-----BEGIN PRIVATE KEY-----", b32, seed('U', 50), "\n"}
	for i := 0; i < 3000; i++ {
		var sb strings.Builder
		for j := r.IntN(40); j > 0; j-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	masked := 0
	for _, s := range cases {
		want, got := maskPatternsRegexpOnly(s), MaskPatterns(s)
		if got != want {
			t.Fatalf("MaskPatterns(%q) = %q, the regular expressions alone give %q", s, got, want)
		}
		if got != s {
			masked++
		}
	}
	if masked < 100 {
		t.Fatalf("only %d of %d cases masked anything: the comparison tests little", masked, len(cases))
	}
}
