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
// every YAML value but the first on a line needs a separator before it —
// ',' ':' '[' '{' or a '-' item marker — or a new line; the root collection
// holds the first one. A '-' marks an item only when a blank or a line break
// follows it (YAML 1.2, 8.2.1; in flow collections it is never an
// indicator): anywhere else it is part of a scalar (nats-1, --user,
// 2.10.7-alpine), and counting those made a well-formed 10,000-service
// compose file look like 520,000 values when it holds 300,000
// (docs/performance.md). A ':' is counted wherever it is: in a flow
// collection a:b is a key and a value.
func Estimate(data []byte) int {
	n := 2
	for i, c := range data {
		switch c {
		case ',', ':', '\n', '[', '{':
			n++
		case '-':
			if spaceAfter(data, i) {
				n++
			}
		}
	}
	return n
}

// spaceAfter: data[i] is followed by a blank, a line break or the end.
func spaceAfter(data []byte, i int) bool {
	if i+1 >= len(data) {
		return true
	}
	switch data[i+1] {
	case ' ', '\t', '\n', '\r':
		return true
	}
	return false
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

// Count returns the nodes of a decoded document, each alias once (its
// target is not followed): what the file itself holds, so that a budget of
// visits can grow with a big file and still stop an alias bomb, which holds
// few nodes and expands to many.
func Count(doc *yaml.Node) int {
	n := 0
	stack := []*yaml.Node{doc}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n++
		stack = append(stack, x.Content...)
	}
	return n
}
