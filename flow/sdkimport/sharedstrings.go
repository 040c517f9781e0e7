package sdkimport

import (
	"bufio"
	"io"
	"math"
	"os"
	"slices"
)

// sharedStrings is a workbook's table of texts, in a temporary file with
// only where each ends in memory (4 bytes a text): an export of a million
// users holds millions of distinct ids there.
type sharedStrings struct {
	f    *os.File
	end  []uint32         // text i is f[end[i-1]:end[i]]
	long map[int]struct{} // texts longer than maxRecord, not kept
}

func (wb *workbook) readSharedStrings(part string) (*sharedStrings, error) {
	ss := &sharedStrings{long: map[int]struct{}{}}
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
	var (
		pos            int64
		inRPh, started bool
	)
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
					ss.long[len(ss.end)] = struct{}{}
					x.text = x.text[:0]
				}
				if pos += int64(len(x.text)); pos > math.MaxUint32 {
					ss.close()
					return nil, errTooLarge
				}
				ss.end = append(ss.end, uint32(pos))
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
	if !ok || i >= len(ss.end) {
		return dst, false
	}
	if _, long := ss.long[i]; long {
		return dst, true
	}
	from := uint32(0)
	if i > 0 {
		from = ss.end[i-1]
	}
	n := int(ss.end[i] - from)
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
