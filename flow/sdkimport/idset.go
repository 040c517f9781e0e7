package sdkimport

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"os"
	"slices"
	"sort"
)

// idSet is the openids an import has kept, by their 64-bit hash, in memory
// bounded whatever the export's size: a map of ten million hashes took
// 356 MB. The newest hashes are in a table; past memKeys they are sorted and
// spilled to a temporary file as a run, with every blockKeys-th key kept in
// memory to find a block by. A blocked Bloom filter over every key answers
// most lookups without touching the runs: only a hash it cannot rule out
// (a duplicate, or about one in a hundred others) reads one block per run.
type idSet struct {
	mem  []uint64 // open addressing; 0 is empty (a hash of 0 is stored as 1)
	n    int      // keys in mem
	runs []idRun
	file *os.File // the runs, one after another
	end  int64
	// bloom has bloomCap*bloomBits bits (in 512-bit blocks) over the keys
	// in mem and in the runs; nil while there are no runs.
	bloom    []uint64
	bloomCap int
	total    int
	block    []byte
	spillAt  int // memKeys, or fewer in a test
}

type idRun struct {
	at    int64    // offset in file
	n     int      // keys
	index []uint64 // the key at each multiple of blockKeys
}

const (
	memKeys   = 1 << 20 // keys held in the table before a spill (16 MB of table)
	blockKeys = 512     // keys per block read from a run
	bloomBits = 10      // bits per key: about 1 % false positives
)

// errIDSet is a spill that failed: a temporary file could not be written.
var errIDSet = errors.New("sdkimport: the list of openids seen could not be kept")

// add records k and reports whether it was there already.
func (s *idSet) add(k uint64) (dup bool, err error) {
	if k == 0 {
		k = 1
	}
	if s.bloom != nil && !s.bloomHas(k) {
		s.insert(k)
		s.bloomAdd(k)
		return false, s.grow()
	}
	if s.memHas(k) {
		return true, nil
	}
	for i := range s.runs {
		if found, err := s.runHas(&s.runs[i], k); err != nil || found {
			return found, err
		}
	}
	s.insert(k)
	if s.bloom != nil {
		s.bloomAdd(k)
	}
	return false, s.grow()
}

func (s *idSet) memHas(k uint64) bool {
	if len(s.mem) == 0 {
		return false
	}
	mask := uint64(len(s.mem) - 1)
	for i := mix(k) & mask; ; i = (i + 1) & mask {
		switch s.mem[i] {
		case k:
			return true
		case 0:
			return false
		}
	}
}

func (s *idSet) insert(k uint64) {
	if 2*(s.n+1) > len(s.mem) {
		s.rehash(max(1024, 2*len(s.mem)))
	}
	mask := uint64(len(s.mem) - 1)
	i := mix(k) & mask
	for s.mem[i] != 0 {
		i = (i + 1) & mask
	}
	s.mem[i] = k
	s.n++
	s.total++
}

func (s *idSet) rehash(size int) {
	old := s.mem
	s.mem = make([]uint64, size)
	mask := uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := mix(k) & mask
		for s.mem[i] != 0 {
			i = (i + 1) & mask
		}
		s.mem[i] = k
	}
}

// grow spills the table when full and widens the filter when its keys
// outgrow it.
func (s *idSet) grow() error {
	if s.spillAt == 0 {
		s.spillAt = memKeys
	}
	if s.n < s.spillAt {
		return nil
	}
	if err := s.spill(); err != nil {
		return err
	}
	if s.total > s.bloomCap {
		return s.rebuildBloom(2 * s.total)
	}
	return nil
}

// spill writes the table's keys, sorted, as a run and empties the table.
func (s *idSet) spill() error {
	if s.file == nil {
		f, err := os.CreateTemp("", "oawizard-ids-*")
		if err != nil {
			return errors.Join(errIDSet, err)
		}
		os.Remove(f.Name()) // gone when closed, whatever happens
		s.file = f
	}
	keys := s.mem[:0]
	for _, k := range s.mem {
		if k != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	r := idRun{at: s.end, n: len(keys)}
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.file, s.end), 64<<10)
	var b [8]byte
	for i, k := range keys {
		if i%blockKeys == 0 {
			r.index = append(r.index, k)
		}
		binary.LittleEndian.PutUint64(b[:], k)
		if _, err := w.Write(b[:]); err != nil {
			return errors.Join(errIDSet, err)
		}
	}
	if err := w.Flush(); err != nil {
		return errors.Join(errIDSet, err)
	}
	s.end += int64(8 * len(keys))
	s.runs = append(s.runs, r)
	clear(s.mem)
	s.n = 0
	return nil
}

// runHas looks for k in the one block of r that could hold it.
func (s *idSet) runHas(r *idRun, k uint64) (bool, error) {
	b := sort.Search(len(r.index), func(i int) bool { return r.index[i] > k }) - 1
	if b < 0 {
		return false, nil
	}
	n := min(blockKeys, r.n-b*blockKeys)
	if cap(s.block) < 8*blockKeys {
		s.block = make([]byte, 8*blockKeys)
	}
	buf := s.block[:8*n]
	if _, err := s.file.ReadAt(buf, r.at+int64(8*b*blockKeys)); err != nil {
		return false, errors.Join(errIDSet, err)
	}
	i := sort.Search(n, func(i int) bool { return binary.LittleEndian.Uint64(buf[8*i:]) >= k })
	return i < n && binary.LittleEndian.Uint64(buf[8*i:]) == k, nil
}

// rebuildBloom sizes the filter for capacity keys and adds every key kept.
func (s *idSet) rebuildBloom(capacity int) error {
	blocks := 1 << bits.Len(uint(capacity*bloomBits/512-1))
	s.bloom, s.bloomCap = make([]uint64, 8*blocks), blocks*512/bloomBits
	for _, k := range s.mem {
		if k != 0 {
			s.bloomAdd(k)
		}
	}
	r := bufio.NewReaderSize(io.NewSectionReader(s.file, 0, s.end), 64<<10)
	var b [8]byte
	for i := int64(0); i < s.end; i += 8 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return errors.Join(errIDSet, err)
		}
		s.bloomAdd(binary.LittleEndian.Uint64(b[:]))
	}
	return nil
}

// The filter's five bits for a key lie in one 512-bit block (one cache
// line), chosen by the mixed hash's low bits; the bits within it come from
// its high bits, nine at a time.
func (s *idSet) bloomAdd(k uint64) {
	h := mix(k)
	blk := s.bloom[8*(h&uint64(len(s.bloom)/8-1)):]
	for i := range 5 {
		bit := (h >> (64 - 9*(i+1))) & 511
		blk[bit>>6] |= 1 << (bit & 63)
	}
}

func (s *idSet) bloomHas(k uint64) bool {
	h := mix(k)
	blk := s.bloom[8*(h&uint64(len(s.bloom)/8-1)):]
	for i := range 5 {
		bit := (h >> (64 - 9*(i+1))) & 511
		if blk[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
	}
	return true
}

func (s *idSet) close() {
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// mix spreads a hash's bits (splitmix64's finalizer): FNV's low bits alone
// cluster for ids that differ only in their last characters.
func mix(k uint64) uint64 {
	k ^= k >> 30
	k *= 0xbf58476d1ce4e5b9
	k ^= k >> 27
	k *= 0x94d049bb133111eb
	return k ^ k>>31
}
