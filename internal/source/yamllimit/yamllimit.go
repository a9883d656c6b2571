// Package yamllimit bounds what a YAML file may cost before it is decoded.
//
// yaml.v3 builds a node of about 200 bytes for every value: a 10 MB flow
// sequence ("[a,a,a,...]") is five million nodes, a gigabyte of memory and
// seconds of work, long before any alias is expanded. Compose files, NACK
// manifests and stream definitions hold hundreds of values, so files that
// could hold more than MaxNodes are refused up front with a clear message.
package yamllimit

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// MaxNodes is the most YAML values a file may hold.
const MaxNodes = 500000

// Estimate returns an upper bound on the number of values data can hold:
// every YAML value but the first on a line needs a separator (',' ':' '['
// '{' or a '-' item marker) or a new line.
func Estimate(data []byte) int {
	n := 1
	for _, c := range data {
		switch c {
		case ',', ':', '\n', '[', '{', '-':
			n++
		}
	}
	return n
}

// Check refuses data that may hold more than MaxNodes values.
func Check(data []byte) error {
	if n := Estimate(data); n > MaxNodes {
		return fmt.Errorf("may hold about %d YAML values, over the limit of %d; not read", n, MaxNodes)
	}
	return nil
}

// MaxDepth is the deepest nesting accepted. Compose files and stream
// definitions nest a handful of levels; thousands of levels only make every
// later consumer (rules, JSON encoders) recurse for nothing.
const MaxDepth = 100

// CheckDepth refuses a decoded document nested deeper than MaxDepth. It
// walks without recursion and does not follow aliases.
func CheckDepth(doc *yaml.Node) error {
	type item struct {
		n     *yaml.Node
		depth int
	}
	stack := []item{{doc, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.depth > MaxDepth {
			return fmt.Errorf("nested more than %d levels deep (line %d); not read", MaxDepth, it.n.Line)
		}
		for _, c := range it.n.Content {
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	return nil
}
