package sdkimport

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// textEncoding is what a text export's bytes are, decided from its first
// 64 KB: skip is the byte-order mark to drop, dec nil for UTF-8.
type textEncoding struct {
	format string
	skip   int
	dec    encoding.Encoding
}

// sniffEncoding decides a text file's encoding from its body, as a
// spreadsheet does. A byte-order mark that the body contradicts (a UTF-8
// mark before GBK text, as some tools write) is dropped and the body wins;
// a few bytes UTF-8 cannot read in an otherwise UTF-8 file do not make the
// whole file GBK: those rows are skipped, each with its line.
func sniffEncoding(head []byte) textEncoding {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		// Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
		return textEncoding{format: "csv-utf16", dec: unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)}
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return textEncoding{format: "csv-utf16be", dec: unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)}
	}
	bom := 0
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		bom = 3
	}
	body := trimPartialRune(head[bom:])
	bad, multi := utf8Faults(body)
	if bad <= max(multi/16, 1) || bad <= doubleByteFaults(body) {
		if bom > 0 {
			return textEncoding{format: "csv-utf8-bom", skip: bom}
		}
		return textEncoding{format: "csv-utf8"}
	}
	if looksBig5(body) {
		return textEncoding{format: "csv-big5", skip: bom, dec: traditionalchinese.Big5}
	}
	// What Excel on Chinese Windows writes.
	return textEncoding{format: "csv-gbk", skip: bom, dec: simplifiedchinese.GB18030}
}

// utf8Faults counts the byte sequences UTF-8 cannot read and the
// characters of more than one byte it can.
func utf8Faults(b []byte) (bad, multi int) {
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			bad++
		} else {
			multi++
		}
		b = b[n:]
	}
	return bad, multi
}

// doubleByteFaults counts bytes that fit neither GBK's nor Big5's pattern
// of a lead byte 0x81–0xFE and a trail byte 0x40–0xFE: text in neither.
func doubleByteFaults(b []byte) int {
	bad := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		if c == 0x80 || c == 0xFF || i+1 >= len(b) || b[i+1] < 0x40 || b[i+1] == 0x7F || b[i+1] == 0xFF {
			bad++
			continue
		}
		i++
	}
	return bad
}

// looksBig5 tells Big5 from GBK by trail bytes: GBK's common characters
// (the GB2312 set) all have a trail byte of 0xA1 or more, while about
// four in ten of Big5's common characters have one below 0x7F.
func looksBig5(b []byte) bool {
	pairs, low := 0, 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] < 0x81 {
			continue
		}
		pairs++
		if b[i+1] < 0x7F {
			low++
		}
		i++
	}
	return pairs >= 4 && low*5 >= pairs
}

// trimPartialRune drops a multi-byte character cut by the peek window.
func trimPartialRune(b []byte) []byte {
	for i := 0; i < 3 && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

// sniffBinary names a file that is not a table of text, or says ""; a
// password-protected or old Excel workbook is named as such.
func sniffBinary(head []byte) (Kind, string) {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG")), bytes.HasPrefix(head, []byte("\xFF\xD8\xFF")), bytes.HasPrefix(head, []byte("GIF8")):
		return KindBinary, "an image"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return KindBinary, "a PDF document"
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		// Office's compound file: Excel keeps a password-protected .xlsx
		// in one, as an "EncryptedPackage" stream, and an .xls is one.
		if bytes.Contains(head, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e")) {
			return KindPassword, "a password-protected workbook"
		}
		return KindOldExcel, "an old Excel (.xls) workbook or another Office file"
	case bytes.HasPrefix(head, []byte("\x1F\x8B")), bytes.HasPrefix(head, []byte("Rar!")), bytes.HasPrefix(head, []byte("7z\xBC\xAF")):
		return KindBinary, "an archive"
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return "", ""
	}
	// Text has next to no control characters; a NUL or two is damage in a
	// text file (its rows are skipped with their lines), many are binary.
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7F {
			ctl++
		}
	}
	if ctl*100 > len(head) {
		return KindBinary, "not a text file"
	}
	return "", ""
}
