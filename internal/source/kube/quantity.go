package kube

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

var quantityRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$`)

// Quantity reads a Kubernetes resource quantity ("512Mi", "1G", "1.5Gi",
// "500m", "1e9") as a number of base units (bytes, cores).
func Quantity(s string) (float64, bool) {
	m := quantityRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	if m[2] != "" {
		e, err := strconv.Atoi(m[2])
		if err != nil || e > 30 || e < -30 {
			return 0, false
		}
		f *= math.Pow10(e)
	}
	mult := map[string]float64{"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
		"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60}[m[3]]
	f *= mult
	if math.IsInf(f, 0) || f > math.MaxInt64/2 {
		return 0, false
	}
	return f, true
}
