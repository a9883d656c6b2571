package probe

import (
	"fmt"
	"strconv"
)

// Paging. /connz and /jsz?accounts=true answer at most one page (1,024
// connections, 1,024 JetStream accounts by default): bigger servers are
// read page by page (offset/limit), over HTTP and over $SYS alike, up to
// MaxPaged entries per document and server. When the cap cuts, the report
// says so (a note), and the document keeps the server's "total" so that a
// rule can tell "all connections" from "the connections read".

// DefaultMaxPaged bounds the entries read from one paged document of one
// server: 10 pages of 1,024.
const DefaultMaxPaged = 10 * pageSize

// pageSize is the page asked for: the servers' default and maximum page for
// /connz (larger limits are accepted by /jsz, but one page of a busy
// account list is already a few MiB).
const pageSize = 1024

// pager describes a paged document: the list it pages and the member that
// holds the server's total.
type pager struct {
	list  string // "connections", "account_details"
	total string // "total"
	what  string // for notes: "connections", "JetStream accounts"
}

var pagers = map[string]pager{
	"connz": {list: "connections", total: "total", what: "connections"},
	"jsz":   {list: "account_details", total: "total", what: "JetStream accounts"},
}

// pageQuery is the query string for one page (HTTP).
func pageQuery(offset int) string {
	return "offset=" + strconv.Itoa(offset) + "&limit=" + strconv.Itoa(pageSize)
}

// nextOffset is where the next page starts, or -1 when the document is
// complete, the server sent an empty page (nothing more will come), or the
// cap is reached.
func nextOffset(doc map[string]any, p pager, max int) int {
	have := len(getSlice(doc, p.list))
	total, ok := getInt(doc, p.total)
	if !ok || int64(have) >= total || have == 0 || have >= max {
		return -1
	}
	return have
}

// appendPage appends a page's entries to the document; it reports false when
// the page brought nothing (a server that stopped paging).
func appendPage(doc, page map[string]any, p pager, max int) bool {
	more := getSlice(page, p.list)
	if len(more) == 0 {
		return false
	}
	have := getSlice(doc, p.list)
	room := max - len(have)
	if len(more) > room {
		more = more[:room]
	}
	doc[p.list] = append(have, more...)
	return true
}

// finishPaging records what was read in the document and returns the note
// when the cap (or a server that stopped answering pages) cut the list.
func finishPaging(doc map[string]any, p pager, name, server string, max int) string {
	list := getSlice(doc, p.list)
	if len(list) > max { // the first page alone can pass a small cap
		list = list[:max]
		doc[p.list] = list
	}
	have := len(list)
	doc["offset"] = int64(0)
	if p.list == "connections" {
		doc["num_connections"] = int64(have)
	}
	total, ok := getInt(doc, p.total)
	if !ok || int64(have) >= total {
		return ""
	}
	why := fmt.Sprintf("the cap is %d per server", max)
	if have < max {
		why = "the server answered no further page"
	}
	return fmt.Sprintf("server %s: %s lists %d %s; %d were read (%s): rules judged those only", server, name, total, p.what, have, why)
}
