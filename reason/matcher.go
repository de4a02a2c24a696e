package reason

import (
	"slices"
	"strings"
)

// The phrase tables hold about a thousand fragments. Looking for each with
// strings.Contains costs one pass over the text per fragment; instead, every
// fragment of every table (the phrase tables, the command hints and the
// remote host rules) is compiled once, at package initialisation, into one
// Aho-Corasick automaton over bytes. A classification runs it once over the
// normalized text and gets the set of fragments the text contains (hits);
// the tables then read that set instead of searching the text again.
//
// Everything built here is read only after initialisation. The state of a
// search (hits) belongs to the caller.

const (
	// maxPhrases is the capacity of a hits set: the number of distinct
	// fragments in all tables may not exceed it (checked at init).
	maxPhrases = 2048
	// maxTables bounds the number of reasons (bits of a uint64 mask).
	maxTables = 64
	// states this deep or shallower (about 200) get a dense row of
	// transitions; the others, sparse edges.
	denseDepth = 2
)

// hits is what one scan of a text found: the fragments it contains, and the
// tables one of whose any (unless) fragments it contains.
type hits struct {
	set    [maxPhrases / 64]uint64 // by phrase id
	any    uint64                  // by table: an any fragment occurs
	unless uint64                  // by table: an unless fragment occurs
}

// has reports whether phrase id occurs in the scanned text.
func (h *hits) has(id int32) bool {
	return h.set[id>>6]&(1<<(uint(id)&63)) != 0
}

// state is one state of the automaton.
type state struct {
	e0, e1 int32 // its sparse edges: bank.edges[e0:e1]
	fail   int32 // the longest proper suffix that is also a state
	out    int32 // the phrase that ends here, or -1
	report int32 // the first state, this one or along fail, with out >= 0; or -1
}

type edge struct {
	class uint8
	to    uint32 // the state, with reportFlag
}

// phraseBank is the compiled automaton over all fragments of all tables.
type phraseBank struct {
	class   [256]uint8 // byte -> class; 0 for bytes that occur in no fragment
	nclass  int
	states  []state
	edges   []edge
	nDense  int      // states 0 to nDense-1 have a dense row
	rows    []uint32 // their transitions, nclass per row, with reportFlag
	phrases []string
	ids     map[string]int32
	// for each phrase: the tables (bits by index in All) listing it in
	// any, and those listing it in unless.
	anyMask, unlessMask []uint64
	// for each table (by index in All): its seq entries as phrase ids.
	seqs [maxTables][][]int32
}

// bank holds every fragment of the phrase tables, the command hints and the
// host rules. Read only.
var bank = buildBank()

func buildBank() *phraseBank {
	if len(All) > maxTables {
		panic("reason: too many reasons for the table masks")
	}
	b := &phraseBank{ids: make(map[string]int32)}
	add := func(p string) int32 {
		if p == "" {
			panic("reason: empty phrase in a table")
		}
		if id, ok := b.ids[p]; ok {
			return id
		}
		id := int32(len(b.phrases))
		b.ids[p] = id
		b.phrases = append(b.phrases, p)
		b.anyMask = append(b.anyMask, 0)
		b.unlessMask = append(b.unlessMask, 0)
		return id
	}
	for i, r := range All {
		p := phraseTable[r]
		if p == nil {
			continue
		}
		bit := uint64(1) << uint(i)
		for _, u := range p.unless {
			b.unlessMask[add(u)] |= bit
		}
		for _, a := range p.any {
			b.anyMask[add(a)] |= bit
		}
		for _, q := range p.seq {
			ids := make([]int32, len(q))
			for k, part := range q {
				ids[k] = add(part)
			}
			b.seqs[i] = append(b.seqs[i], ids)
		}
	}
	for _, h := range commandHints {
		add(h.phrase)
	}
	for _, rules := range ruleTables {
		for _, r := range rules {
			add(r.phrase)
		}
	}
	for _, r := range microsoftRules {
		add(r.phrase)
	}
	if len(b.phrases) > maxPhrases {
		panic("reason: more phrases than maxPhrases")
	}
	b.compile()
	return b
}

// compile builds the automaton: the trie of the phrases, the failure links
// (breadth first), dense rows for the root and the states near it (where a
// scan spends most of its time), sparse edges elsewhere.
func (b *phraseBank) compile() {
	// byte classes: one per byte that occurs in a phrase
	b.nclass = 1
	for _, p := range b.phrases {
		for i := 0; i < len(p); i++ {
			if b.class[p[i]] == 0 {
				if b.nclass == 256 {
					panic("reason: too many byte classes")
				}
				b.class[p[i]] = uint8(b.nclass)
				b.nclass++
			}
		}
	}

	// the trie: phrases inserted in byte order, so that the child on the
	// path of the previous phrase is always the last child added
	type node struct {
		first, last, next int32 // first and last child, next sibling; -1 for none
		out               int32
		depth             int32
		class             uint8
	}
	sorted := make([]int32, len(b.phrases))
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(x, y int32) int { return strings.Compare(b.phrases[x], b.phrases[y]) })
	nodes := make([]node, 1, 32*1024)
	nodes[0] = node{first: -1, last: -1, next: -1, out: -1}
	for _, id := range sorted {
		p := b.phrases[id]
		cur := int32(0)
		for i := 0; i < len(p); i++ {
			c := b.class[p[i]]
			if l := nodes[cur].last; l >= 0 && nodes[l].class == c {
				cur = l
				continue
			}
			n := int32(len(nodes))
			nodes = append(nodes, node{first: -1, last: -1, next: -1, out: -1, depth: nodes[cur].depth + 1, class: c})
			if l := nodes[cur].last; l < 0 {
				nodes[cur].first = n
			} else {
				nodes[l].next = n
			}
			nodes[cur].last = n
			cur = n
		}
		nodes[cur].out = id
	}

	// breadth-first order, for the failure links
	order := make([]int32, 0, len(nodes))
	order = append(order, 0)
	for k := 0; k < len(order); k++ {
		for ch := nodes[order[k]].first; ch >= 0; ch = nodes[ch].next {
			order = append(order, ch)
		}
	}
	// state numbers: first the shallow states (those with a dense row),
	// breadth first; then the others depth first, so that a scan going
	// down a long phrase reads its states and edges one after the other
	number := make([]int32, len(nodes))
	k := int32(0)
	for _, n := range order {
		if nodes[n].depth > denseDepth {
			break
		}
		number[n] = k
		k++
	}
	b.nDense = int(k)
	stack := []int32{0}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nodes[n].depth > denseDepth {
			number[n] = k
			k++
		}
		mark := len(stack)
		for ch := nodes[n].first; ch >= 0; ch = nodes[ch].next {
			stack = append(stack, ch)
		}
		slices.Reverse(stack[mark:]) // the first child on top
	}
	byNumber := make([]int32, len(nodes))
	for n, k := range number {
		byNumber[k] = int32(n)
	}
	b.states = make([]state, len(nodes))
	for k, n := range byNumber {
		s := &b.states[k]
		s.out = nodes[n].out
		s.e0 = int32(len(b.edges))
		for ch := nodes[n].first; ch >= 0; ch = nodes[ch].next {
			b.edges = append(b.edges, edge{nodes[ch].class, uint32(number[ch])})
		}
		s.e1 = int32(len(b.edges))
	}

	// failure links and report links, breadth first
	b.states[0].fail = 0
	b.states[0].report = -1
	for _, nd := range order {
		n := number[nd]
		s := b.states[n]
		for _, e := range b.edges[s.e0:s.e1] {
			var f int32
			if n != 0 {
				f = int32(b.sparseNext(uint32(s.fail), e.class) &^ reportFlag)
			}
			ch := &b.states[e.to]
			ch.fail = f
			if ch.out >= 0 {
				ch.report = int32(e.to)
			} else {
				ch.report = b.states[f].report
			}
		}
	}
	for i := range b.edges {
		if b.states[b.edges[i].to].report >= 0 {
			b.edges[i].to |= reportFlag
		}
	}

	// dense rows: the states up to denseDepth bytes deep, numbered
	// breadth first; computed in that order, so that the rows a row falls
	// back to already exist
	b.rows = make([]uint32, b.nDense*b.nclass)
	for n := 0; n < b.nDense; n++ {
		row := b.rows[n*b.nclass : (n+1)*b.nclass]
		if n != 0 {
			// what the longest proper suffix does; it is shallower, so
			// its row is done
			f := int(b.states[n].fail)
			copy(row, b.rows[f*b.nclass:(f+1)*b.nclass])
		}
		st := b.states[n]
		for _, e := range b.edges[st.e0:st.e1] {
			row[e.class] = e.to
		}
	}
}

// sparseNext is the transition from state n on byte class c, following
// failure links down to a state with a dense row. The result carries
// reportFlag when the state reached has phrases to report.
func (b *phraseBank) sparseNext(n uint32, c uint8) uint32 {
	for {
		if int(n) < b.nDense && len(b.rows) > 0 {
			return b.rows[int(n)*b.nclass+int(c)]
		}
		s := &b.states[n]
		for _, e := range b.edges[s.e0:s.e1] {
			if e.class == c {
				return e.to
			}
		}
		if n == 0 {
			return 0
		}
		n = uint32(s.fail)
	}
}

// reportFlag marks, in a transition, a state with phrases to report.
const reportFlag = 1 << 31

// scan runs the automaton over the normalized text s and records in h every
// phrase s contains. h must be zero.
func (b *phraseBank) scan(s string, h *hits) {
	var n uint32
	rows, nclass, nDense := b.rows, uint32(b.nclass), uint32(b.nDense)
	for i := 0; i < len(s); i++ {
		c := b.class[s[i]]
		var t uint32
		if n < nDense {
			t = rows[n*nclass+uint32(c)]
		} else {
			t = b.sparseNext(n, c)
		}
		n = t &^ reportFlag
		if t&reportFlag != 0 {
			b.report(n, h)
		}
	}
}

// report records in h the phrases that end at state n.
func (b *phraseBank) report(n uint32, h *hits) {
	for r := b.states[n].report; r >= 0; r = b.states[b.states[r].fail].report {
		id := b.states[r].out
		w, bit := id>>6, uint64(1)<<(uint(id)&63)
		if h.set[w]&bit == 0 {
			h.set[w] |= bit
			h.any |= b.anyMask[id]
			h.unless |= b.unlessMask[id]
		}
	}
}

// id returns the phrase id of p, or -1 when p is in no table.
func (b *phraseBank) id(p string) int32 {
	if id, ok := b.ids[p]; ok {
		return id
	}
	return -1
}

// says reports whether the table with index i in All matches the text s,
// whose scan is h: the same answer as phraseTable[All[i]].match(s).
func (b *phraseBank) says(i int, s string, h *hits) bool {
	bit := uint64(1) << uint(i)
	if h.unless&bit != 0 {
		return false
	}
	if h.any&bit != 0 {
		return true
	}
	for _, q := range b.seqs[i] {
		if b.inOrder(s, q, h) {
			return true
		}
	}
	return false
}

// inOrder is inOrder(s, parts) for the parts ids: false at once unless
// every part occurs somewhere; otherwise the parts are looked for in order.
func (b *phraseBank) inOrder(s string, ids []int32, h *hits) bool {
	for _, id := range ids {
		if !h.has(id) {
			return false
		}
	}
	for _, id := range ids {
		p := b.phrases[id]
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}
