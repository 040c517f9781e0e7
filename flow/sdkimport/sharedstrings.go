package sdkimport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
)

// sharedStrings is a workbook's table of texts, in a temporary file with
// only each text's length in memory, two bytes a text, and its offset at
// every 64th: an export of a million users holds millions of distinct ids
// there, and four-byte offsets for a sheet of two million rows were 16 MB
// of heap, 48 MB while the slice grew.
type sharedStrings struct {
	f     *os.File
	n     int
	lens  []uint16         // text i's length in bytes; bigLen: in big
	marks []int64          // offset of text 64k
	big   map[int]int      // lengths of bigLen bytes or more
	long  map[int]struct{} // texts longer than maxRecord, not kept
	end   int64
}

const bigLen = math.MaxUint16

// maxSharedStrings bounds the table (about 2 bytes a text in memory):
// sixteen times Excel's 1,048,576 rows. A workbook with more distinct texts
// is refused as too large, not read in ever more memory.
var maxSharedStrings = 16 << 20

// add records the next text's length.
func (ss *sharedStrings) add(n int) error {
	if ss.n >= maxSharedStrings {
		return fmt.Errorf("%w: more than %d", errTooManyTexts, maxSharedStrings)
	}
	if ss.n%64 == 0 {
		ss.marks = append(ss.marks, ss.end)
	}
	if n >= bigLen {
		ss.big[ss.n] = n
		ss.lens = append(ss.lens, bigLen)
	} else {
		ss.lens = append(ss.lens, uint16(n))
	}
	ss.end += int64(n)
	ss.n++
	return nil
}

func (ss *sharedStrings) length(i int) int {
	if n := ss.lens[i]; n != bigLen {
		return int(n)
	}
	return ss.big[i]
}

// span is where text i lies in the file.
func (ss *sharedStrings) span(i int) (from int64, n int) {
	from = ss.marks[i/64]
	for j := i &^ 63; j < i; j++ {
		from += int64(ss.length(j))
	}
	return from, ss.length(i)
}

var errTooManyTexts = errors.New("sdkimport: too many distinct texts in the workbook")

func (wb *workbook) readSharedStrings(part string) (*sharedStrings, error) {
	ss := &sharedStrings{long: map[int]struct{}{}, big: map[int]int{}}
	if _, ok := wb.files[part]; !ok {
		return ss, nil // a workbook of numbers alone has none
	}
	f, err := os.CreateTemp("", "oawizard-sst-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	ss.f = f
	x, c, err := wb.openXML(part)
	if err != nil {
		ss.close()
		return nil, err
	}
	defer c.Close()
	w := bufio.NewWriterSize(f, 64<<10)
	var inRPh, started bool
	for {
		tok, err := x.next()
		if err == io.EOF {
			if err := w.Flush(); err != nil {
				ss.close()
				return nil, err
			}
			return ss, nil
		}
		if err != nil {
			ss.close()
			return nil, err
		}
		switch tok {
		case xmlStart:
			switch string(x.name) {
			case "si":
				x.text, x.long, started = x.text[:0], false, true
			case "t":
				x.keep = !inRPh
			case "rPh":
				inRPh = true
			}
		case xmlEnd:
			switch string(x.name) {
			case "t":
				x.keep = false
			case "rPh":
				inRPh = false
			case "si":
				if !started {
					continue
				}
				if x.long {
					ss.long[ss.n] = struct{}{}
					x.text = x.text[:0]
				}
				if err := ss.add(len(x.text)); err != nil {
					ss.close()
					return nil, err
				}
				if _, err := w.Write(x.text); err != nil {
					ss.close()
					return nil, err
				}
			}
		}
	}
}

// appendTo adds the text whose index is written in ref to dst, or reports
// it too long.
func (ss *sharedStrings) appendTo(dst, ref []byte) ([]byte, bool) {
	i, ok := atoi(ref)
	if !ok || i >= ss.n {
		return dst, false
	}
	if _, long := ss.long[i]; long {
		return dst, true
	}
	from, n := ss.span(i)
	if n == 0 {
		return dst, false
	}
	at := len(dst)
	dst = slices.Grow(dst, n)[:at+n]
	if _, err := ss.f.ReadAt(dst[at:], int64(from)); err != nil {
		return dst[:at], false
	}
	return dst, false
}

func (ss *sharedStrings) close() {
	if ss.f != nil {
		ss.f.Close()
	}
}
