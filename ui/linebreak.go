package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line breaking as a Chinese reader expects it, and as an English reader
// does: Fyne breaks only at spaces, so a Chinese sentence ran on until its
// last space and lines began with "：" or "。".
//
// The text is cut into atoms: one per Chinese character (or full-width
// mark), one per run of anything else (a Latin word, a number, a host such
// as open.weixin.qq.com). A line may break between two atoms when a space
// or a Chinese character is on either side, except before closing and after
// opening punctuation. A menu path ("后台 → 设置与开发 → 基本配置")
// breaks only after an arrow, and moves to the next line whole when it fits
// there and the line it leaves is mostly full.

// noLineStart may not begin a line; noLineEnd may not end one.
const (
	noLineStart = "，。、：；！？）】」』〕〗》〉”’…,.;:!?)]}%％·"
	noLineEnd   = "（【「『〔〖《〈“‘([{"
)

// atom is a piece of text no line breaks inside, unless the piece alone is
// wider than a line.
type atom struct {
	text  string
	space string // the spaces before it: shown between, dropped at a break
	brk   bool   // a line may break before it
	word  bool   // part of a word a menu path is made of (not space or a mark)
}

// wrapText breaks text into lines: at "\n", and each paragraph into lines
// at most width wide as measure tells. A width of zero or less means no
// width is known yet: each paragraph stays one line. spaced says the text
// is in a language that puts spaces between words (English): the Chinese
// in it is a back office's menu name the admin looks for, kept whole, and
// lines break at spaces as an English reader expects.
func wrapText(text string, width float32, spaced bool, measure func(string) float32) []string {
	var lines []string
	for _, p := range strings.Split(text, "\n") {
		if width <= 0 {
			lines = append(lines, strings.TrimRightFunc(p, unicode.IsSpace))
			continue
		}
		lines = append(lines, wrapParagraph(p, width, spaced, measure)...)
	}
	return lines
}

// widestUnit is the width of the widest run of text no line may break in:
// narrower than that, a line would have to cut a word.
func widestUnit(text string, spaced bool, measure func(string) float32) float32 {
	var w float32
	for _, p := range strings.Split(text, "\n") {
		atoms := splitAtoms(p, spaced)
		for i := 0; i < len(atoms); {
			j := unitEnd(atoms, i)
			w = max(w, measure(joinAtoms(atoms[i:j])))
			i = j
		}
	}
	return w
}

// wrapParagraph fills lines greedily, one unbreakable unit at a time. A
// paragraph's indent stays.
func wrapParagraph(p string, width float32, spaced bool, measure func(string) float32) []string {
	atoms := splitAtoms(p, spaced)
	if len(atoms) == 0 {
		return []string{""}
	}
	// What fits whole is one line: each measure shapes the text it is
	// given, so filling a line a unit at a time costs as many shapings as
	// the line has characters, at every change of a counts line.
	if whole := atoms[0].space + joinAtoms(atoms); measure(whole) <= width {
		return []string{whole}
	}
	m := newSpans(atoms, width, measure)
	var lines []string
	line, empty := atoms[0].space, true
	lineW := measure(line)
	for i := 0; i < len(atoms); {
		j := unitEnd(atoms, i)
		if end := pathEnd(atoms, i); end > j && !empty && lineW >= width*3/4 {
			// A path that fits a line of its own starts one, unless that
			// leaves much of this line empty.
			path, pathW := joinAtoms(atoms[i:end]), m.span(i, end)
			if _, fits := m.fit(line+sep(atoms[i])+path, lineW+m.space(i)+pathW); !fits && pathW <= width {
				lines, line, lineW, empty = append(lines, line), "", 0, true
			}
		}
		unit, unitW := joinAtoms(atoms[i:j]), m.span(i, j)
		switch {
		case empty:
			line, lineW = line+unit, lineW+unitW
		default:
			longer := line + sep(atoms[i]) + unit
			if w, fits := m.fit(longer, lineW+m.space(i)+unitW); fits {
				line, lineW = longer, w
				break
			}
			lines, line, lineW = append(lines, line), unit, unitW
			rest := joinAtoms(atoms[i:])
			if _, fits := m.fit(rest, m.span(i, len(atoms))); fits {
				return append(lines, rest) // the rest fits the new line
			}
		}
		empty = false
		if w, fits := m.fit(line, lineW); !fits {
			// Wider than a line on its own: only here is a unit cut.
			cut := breakRunes(line, width, measure)
			lines, line = append(lines, cut[:len(cut)-1]...), cut[len(cut)-1]
			lineW = measure(line)
		} else {
			lineW = w
		}
		i = j
	}
	return append(lines, line)
}

// spans tells how wide a run of atoms is by adding up its atoms and the
// spaces between, each measured once (Fyne keeps what it has measured, so a
// Chinese character repeated costs one shaping), and measures a candidate
// line whole only when that sum comes within a hair of the line's width,
// where how glyphs join could tip it. Measuring every candidate line whole
// shaped a paragraph's text once per character: step 2's text took 30 ms
// of the frame that first showed it.
type spans struct {
	width     float32
	measure   func(string) float32
	atom, gap []float32 // each atom's width, and of the spaces before it
	prefix    []float32 // prefix[k]: atoms [0, k) and the spaces between
}

// joinSlack is how far a sum may be from a line's width before the line is
// measured whole.
const joinSlack = 1

func newSpans(atoms []atom, width float32, measure func(string) float32) *spans {
	s := &spans{width: width, measure: measure, atom: make([]float32, len(atoms)), gap: make([]float32, len(atoms)),
		prefix: make([]float32, len(atoms)+1)}
	for k, a := range atoms {
		s.atom[k] = measure(a.text)
		if k > 0 && a.space != "" {
			s.gap[k] = measure(a.space)
		}
		s.prefix[k+1] = s.prefix[k] + s.gap[k] + s.atom[k]
	}
	return s
}

// span is the width of atoms [i, j) as joinAtoms writes them.
func (s *spans) span(i, j int) float32 { return s.prefix[j] - s.prefix[i] - s.gap[i] }

// space is the width of the spaces before atom i.
func (s *spans) space(i int) float32 { return s.gap[i] }

// fit says whether text, sum wide by its parts, fits the line, and how
// wide it is: measured whole when the sum is near the width.
func (s *spans) fit(text string, sum float32) (float32, bool) {
	if sum < s.width-joinSlack || sum > s.width+joinSlack {
		return sum, sum <= s.width
	}
	w := s.measure(text)
	return w, w <= s.width
}

func sep(a atom) string { return a.space }

// joinAtoms is the text of a run of atoms as it reads on one line.
func joinAtoms(atoms []atom) string {
	var b strings.Builder
	for k, a := range atoms {
		if k > 0 {
			b.WriteString(sep(a))
		}
		b.WriteString(a.text)
	}
	return b.String()
}

// unitEnd is where the unbreakable unit starting at atom i ends.
func unitEnd(atoms []atom, i int) int {
	j := i + 1
	for j < len(atoms) && !atoms[j].brk {
		j++
	}
	return j
}

// pathEnd is where a menu path starting at atom i ends ("A → B → C"), or i
// when none starts there. A path's parts are words; "→" stands between.
func pathEnd(atoms []atom, i int) int {
	word := func(k int) int { // the end of the word starting at k
		m := k
		for m < len(atoms) && atoms[m].word && (m == k || atoms[m].space == "") {
			m++
		}
		return m
	}
	end, k := i, word(i)
	for k > i && k < len(atoms) && atoms[k].text == "→" {
		m := word(k + 1)
		if m == k+1 {
			break
		}
		end, k = m, m
	}
	if end == i {
		return i
	}
	for end < len(atoms) && !atoms[end].brk {
		end++ // marks that stick to its last word
	}
	return end
}

// breakRunes cuts a text wider than a line into lines by characters, at
// least one character a line.
func breakRunes(s string, width float32, measure func(string) float32) []string {
	var lines []string
	for s != "" {
		n, w := 0, 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if w > 0 && measure(s[:n+size]) > width {
				break
			}
			n += size
			w++
		}
		lines = append(lines, s[:n])
		s = strings.TrimLeftFunc(s[n:], unicode.IsSpace)
	}
	return lines
}

// ideographic tells runes that are atoms of their own: Chinese, Japanese
// and Korean characters and the full-width marks around them.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

// splitAtoms cuts a paragraph into atoms and marks where lines may break.
func splitAtoms(p string, spaced bool) []atom {
	cjk := func(r rune) bool { return !spaced && ideographic(r) }
	var atoms []atom
	space, inRun := "", false
	for _, r := range p {
		switch {
		case unicode.IsSpace(r):
			space, inRun = space+string(r), false
			continue
		case cjk(r):
			atoms = append(atoms, atom{text: string(r), space: space})
			inRun = false
		case inRun:
			atoms[len(atoms)-1].text += string(r)
		default:
			atoms = append(atoms, atom{text: string(r), space: space})
			inRun = true
		}
		space = ""
	}
	for k := range atoms {
		a := &atoms[k]
		first, _ := utf8.DecodeRuneInString(a.text)
		a.word = !strings.ContainsRune(noLineStart+noLineEnd+"→", first)
		if k == 0 {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(atoms[k-1].text)
		a.brk = a.space != "" || cjk(first) || cjk(last)
		if strings.ContainsRune(noLineStart, first) || strings.ContainsRune(noLineEnd, last) || a.text == "→" {
			// Also keep "→" after its word: a line never starts with it.
			a.brk = false
		}
	}
	keepPathItems(atoms)
	keepShortQuotes(atoms)
	return atoms
}

// quoteLen is the most characters a quotation may have to be kept on one
// line: a button's or a check's name (“下一步”) reads as one word.
const quoteLen = 12

// keepShortQuotes keeps short quotations without spaces whole.
func keepShortQuotes(atoms []atom) {
	for i := range atoms {
		if !strings.HasPrefix(atoms[i].text, "“") {
			continue
		}
		n := 0
		for k := i; k < len(atoms) && n <= quoteLen; k++ {
			n += utf8.RuneCountInString(atoms[k].text)
			if k > i && (strings.HasPrefix(atoms[k].text, "“") || atoms[k].space != "") {
				break // words in it are spaced: it breaks at the spaces
			}
			if strings.Contains(atoms[k].text, "”") {
				if n <= quoteLen {
					for m := i + 1; m <= k; m++ {
						atoms[m].brk = false
					}
				}
				break
			}
		}
	}
}

// keepPathItems lets a menu path break only after its arrows: "管理中心"
// cut in two is no longer the name the admin looks for on screen.
func keepPathItems(atoms []atom) {
	for i := 0; i < len(atoms); i++ {
		end := pathEnd(atoms, i)
		for k := i + 1; k < end; k++ {
			if atoms[k-1].text != "→" {
				atoms[k].brk = false
			}
		}
		i = max(i, end-1)
	}
}
