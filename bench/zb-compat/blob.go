package main

// `zb-compat blob push|pull`: the single-stream large-blob client of
// bench/registry.ts. It is in Go rather than in the Node benchmark process
// because a Node client (HTTP parsing, hashing and writing on one thread)
// tops out at a few hundred MB/s on loopback and would measure itself, not
// the registry.
//
//   zb-compat blob push [-A user:pass] -repo R -size BYTES URL
//     Generates BYTES of pseudo-random data (AES-256-CTR keystream, random
//     key) twice: once to compute the sha256 (not timed as the transfer),
//     once streamed as the body of a monolithic upload (POST, then PUT
//     ?digest= with Content-Length). Nothing is held in memory.
//   zb-compat blob pull [-A user:pass] -repo R -digest D -size BYTES URL
//     GETs the blob and streams it to /dev/null through a sha256; fails
//     unless digest and size match.
//
// Both print one JSON object on stdout: bytes, seconds (transfer only),
// mbPerSec (10^6 bytes), digest, and for push digestSeconds.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// keystream returns a reader of exactly size pseudo-random bytes.
func keystream(key, iv []byte, size int64) io.Reader {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	return io.LimitReader(cipher.StreamReader{S: cipher.NewCTR(block, iv), R: zeroReader{}}, size)
}

type blobReport struct {
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	MBPerSec      float64 `json:"mbPerSec"`
	Digest        string  `json:"digest"`
	DigestSeconds float64 `json:"digestSeconds,omitempty"`
}

func runBlob(args []string) int {
	if len(args) < 1 || (args[0] != "push" && args[0] != "pull") {
		fmt.Fprintln(os.Stderr, "usage: zb-compat blob push|pull [flags] URL")
		return 2
	}
	mode := args[0]
	fs := flag.NewFlagSet("zb-compat blob "+mode, flag.ContinueOnError)
	auth := fs.String("A", "", "Basic auth credentials user:pass")
	repo := fs.String("repo", "bench/single-stream", "repository")
	size := fs.Int64("size", 1<<30, "blob size in bytes")
	digest := fs.String("digest", "", "digest to pull (pull only)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "zb-compat blob: need exactly one registry URL")
		return 2
	}
	base, err := url.Parse(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "zb-compat blob: bad URL: %v\n", err)
		return 2
	}
	opts := &options{base: base}
	if *auth != "" {
		user, pass, ok := strings.Cut(*auth, ":")
		if !ok {
			fmt.Fprintln(os.Stderr, "zb-compat blob: -A must be user:pass")
			return 2
		}
		opts.user, opts.pass, opts.hasAuth = user, pass, true
	}
	c := newClient(opts)
	var rep blobReport
	if mode == "push" {
		rep, err = pushStream(c, *repo, *size)
	} else {
		rep, err = pullStream(c, *repo, *digest, *size)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "zb-compat blob %s: %v\n", mode, err)
		return 1
	}
	_ = json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

func pushStream(c *client, repo string, size int64) (blobReport, error) {
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(key); err != nil {
		return blobReport{}, err
	}
	if _, err := rand.Read(iv); err != nil {
		return blobReport{}, err
	}
	t0 := time.Now()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, keystream(key, iv, size), make([]byte, 1<<20)); err != nil {
		return blobReport{}, err
	}
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	digestSeconds := time.Since(t0).Seconds()

	start := time.Now()
	r, err := c.req("POST upload", http.StatusAccepted, http.MethodPost, c.url("/v2/"+repo+"/blobs/uploads/"), nil, 0, "", false)
	if err != nil {
		return blobReport{}, err
	}
	loc, err := c.resolve(r.location, digest)
	if err != nil {
		return blobReport{}, err
	}
	// The body is a plain io.Reader (not *os.File), so net/http streams it
	// through its own buffer with the given Content-Length.
	if _, err := c.req("PUT blob", http.StatusCreated, http.MethodPut, loc, io.NopCloser(keystream(key, iv, size)), size, "application/octet-stream", false); err != nil {
		return blobReport{}, err
	}
	secs := time.Since(start).Seconds()
	return blobReport{Bytes: size, Seconds: secs, MBPerSec: float64(size) / 1e6 / secs, Digest: digest, DigestSeconds: digestSeconds}, nil
}

func pullStream(c *client, repo, digest string, size int64) (blobReport, error) {
	if digest == "" {
		return blobReport{}, errors.New("-digest is required")
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return blobReport{}, err
	}
	defer devnull.Close()
	start := time.Now()
	req, err := http.NewRequest(http.MethodGet, c.url("/v2/"+repo+"/blobs/"+digest), nil)
	if err != nil {
		return blobReport{}, err
	}
	if c.opts.hasAuth {
		req.SetBasicAuth(c.opts.user, c.opts.pass)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return blobReport{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return blobReport{}, fmt.Errorf("GET blob: status %d", resp.StatusCode)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(h, devnull), resp.Body, make([]byte, 1<<20))
	if err != nil {
		return blobReport{}, err
	}
	secs := time.Since(start).Seconds()
	got := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if got != digest {
		return blobReport{}, fmt.Errorf("pulled blob has digest %s, expected %s", got, digest)
	}
	if n != size {
		return blobReport{}, fmt.Errorf("pulled %d bytes, expected %d", n, size)
	}
	return blobReport{Bytes: n, Seconds: secs, MBPerSec: float64(n) / 1e6 / secs, Digest: got}, nil
}
