package instance

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A later launch's request reaches the holder, which calls its forward
// once per request; once the holder is gone the request is refused as
// unanswered, and asking never changed the folder.
func TestALaterLaunchBringsTheHolderForward(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	forwarded := make(chan struct{}, 2)
	if err := l.Serve(func() { forwarded <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	addr, err := os.ReadFile(filepath.Join(dir, AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := Forward(dir); err != nil {
			t.Fatalf("forward: %v", err)
		}
		select {
		case <-forwarded:
		case <-time.After(5 * time.Second):
			t.Fatal("the holder was not asked to come forward")
		}
	}
	if now, err := os.ReadFile(filepath.Join(dir, AddrFile)); err != nil || string(now) != string(addr) {
		t.Fatalf("asking changed the address file: %q, %v", now, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := Forward(dir); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("after the release: %v, want ErrNoAnswer", err)
	}
	if _, err := os.Stat(filepath.Join(dir, AddrFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the address file outlives the holder: %v", err)
	}
}

// A holder that serves no requests (a run without a window) leaves a
// later launch with ErrNoAnswer.
func TestAHolderWithoutAWindowDoesNotAnswer(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if err := Forward(dir); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("forward: %v, want ErrNoAnswer", err)
	}
}

// A stale address file whose port some other program now holds is not
// taken for the wizard: that program does not know the token, so its
// answer is not the holder's.
func TestAStaleAddressIsNotTheWizard(t *testing.T) {
	dir := t.TempDir()
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, AddrFile), []byte(other.Addr().String()+" 00ff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Forward(dir); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("forward to a stranger: %v, want ErrNoAnswer", err)
	}
	// A request without the holder's token does not bring it forward.
	l, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	forwarded := make(chan struct{}, 1)
	if err := l.Serve(func() { forwarded <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	addr, _, _ := strings.Cut(string(b), " ")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("guess\n"))
	reply := make([]byte, 16)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, _ := c.Read(reply); n != 0 {
		t.Errorf("a wrong token was answered %q", reply[:n])
	}
	c.Close()
	select {
	case <-forwarded:
		t.Fatal("a request without the token brought the window forward")
	case <-time.After(100 * time.Millisecond):
	}
}
