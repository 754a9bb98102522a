// Command zb-compat is a stand-in for zot's registry benchmark `zb`, used by
// Berth's `npm run bench:registry` when the real zb cannot be built (the Go
// module proxy reachable from Berth's machines refuses zot's modules, see
// test/peers/zb.sh). It is written from zb's documented behaviour, not copied
// from it, and depends on the Go standard library only.
//
// What it reproduces, so that its numbers mean what zb's mean:
//
//   - the same test list and names (without zot's "On-demand Sync" tests,
//     which need a zot upstream and are skipped by zb without -u anyway);
//   - the same request sequence per test item:
//     push monolith  = POST upload, PUT ?digest= with the whole layer,
//     POST, PUT ?digest= with the config, PUT manifest;
//     push chunk     = POST, PATCH with the whole layer, PUT ?digest= (no
//     body), POST, PATCH (empty), PATCH config, PUT ?digest=, PUT manifest;
//     pull           = HEAD+GET manifest, HEAD+GET config, HEAD+GET layer;
//   - the same test data: 1 MB / 10 MB / 100 MB files (MiB really), zero
//     filled except a random first 4 KiB page, one file per size per run, so
//     every pushed layer of a size has the same digest within one run;
//   - the same client model: -c goroutines, each with its own HTTP client
//     (keep-alive) doing -n/-c items one after another, preemptive Basic
//     auth with -A, bodies read completely;
//   - one deliberate difference: manifest HEAD/GET send an OCI Accept
//     header (zb sends none, which makes Distribution answer 404);
//   - the same statistics: "requests" are test items (one push or pull of an
//     image, one catalog GET); requests per second = n / wall time of the
//     whole test INCLUDING each client's setup pushes (Get Catalog pushes
//     n images first, Pull pushes 1 or 3, mixed push/pull 1); a latency is
//     the time of one item; pN = sorted[n*N/100].
//
// `zb-compat blob push|pull` is the single-stream large-blob client of the
// benchmark (see blob.go); it is not part of zb.
//
// Output: with -o stdout (default) zb's text report; with -o json the same
// text goes to stderr and one JSON document to stdout; -o ci-cd also writes
// ./ci-cd.json like zb. Exit status 1 when any request failed.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

const version = "1.0.0"

const (
	mib        = 1 << 20
	smallBlob  = 1 * mib
	mediumBlob = 10 * mib
	largeBlob  = 100 * mib

	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar"
)

var sizes = []int{smallBlob, mediumBlob, largeBlob}

var sizeNames = map[int]string{smallBlob: "1MB", mediumBlob: "10MB", largeBlob: "100MB"}

type kind int

const (
	kindCatalog kind = iota
	kindPushMonolith
	kindPushChunk
	kindPull
	kindMixedPullPush
)

type testDef struct {
	name  string
	kind  kind
	size  int       // 0: random per item from weights
	probs []float64 // size weights (1MB, 10MB, 100MB) or (pull, push)
}

var suite = []testDef{
	{name: "Get Catalog", kind: kindCatalog, probs: []float64{0.7, 0.2, 0.1}},
	{name: "Push Monolith 1MB", kind: kindPushMonolith, size: smallBlob},
	{name: "Push Monolith 10MB", kind: kindPushMonolith, size: mediumBlob},
	{name: "Push Monolith 100MB", kind: kindPushMonolith, size: largeBlob},
	{name: "Push Chunk Streamed 1MB", kind: kindPushChunk, size: smallBlob},
	{name: "Push Chunk Streamed 10MB", kind: kindPushChunk, size: mediumBlob},
	{name: "Push Chunk Streamed 100MB", kind: kindPushChunk, size: largeBlob},
	{name: "Pull 1MB", kind: kindPull, size: smallBlob},
	{name: "Pull 10MB", kind: kindPull, size: mediumBlob},
	{name: "Pull 100MB", kind: kindPull, size: largeBlob},
	{name: "Pull Mixed 20% 1MB, 70% 10MB, 10% 100MB", kind: kindPull, probs: []float64{0.2, 0.7, 0.1}},
	{name: "Push Monolith Mixed 20% 1MB, 70% 10MB, 10% 100MB", kind: kindPushMonolith, probs: []float64{0.2, 0.7, 0.1}},
	{name: "Push Chunk Mixed 33% 1MB, 33% 10MB, 33% 100MB", kind: kindPushChunk, probs: []float64{0.33, 0.33, 0.33}},
	{name: "Pull 75% and Push 25% Mixed 1MB", kind: kindMixedPullPush, size: smallBlob, probs: []float64{0.75, 0.25}},
	{name: "Pull 75% and Push 25% Mixed 10MB", kind: kindMixedPullPush, size: mediumBlob, probs: []float64{0.75, 0.25}},
	{name: "Pull 75% and Push 25% Mixed 100MB", kind: kindMixedPullPush, size: largeBlob, probs: []float64{0.75, 0.25}},
}

// ---------------------------------------------------------------------------
// options and test data

type options struct {
	base        *url.URL
	user, pass  string
	hasAuth     bool
	repoPrefix  string
	skipCleanup bool
	workDir     string
	blobs       map[int]blobFile
}

type blobFile struct {
	path   string
	digest string
}

func prepareBlobs(dir string, wanted map[int]bool) (map[int]blobFile, error) {
	out := map[int]blobFile{}
	for _, size := range sizes {
		if !wanted[size] {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("%d.blob", size))
		page := make([]byte, 4096)
		if _, err := rand.Read(page); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, err
		}
		if err := f.Truncate(int64(size)); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.WriteAt(page, 0); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			f.Close()
			return nil, err
		}
		f.Close()
		out[size] = blobFile{path: p, digest: "sha256:" + hex.EncodeToString(h.Sum(nil))}
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// statistics

type record struct {
	latency time.Duration
	status  int
	failed  bool
	err     string
}

type counters struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counters) inc(k string) {
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

type result struct {
	Name         string             `json:"name"`
	Concurrency  int                `json:"concurrency"`
	Requests     int                `json:"requests"`
	TotalSeconds float64            `json:"totalSeconds"`
	RPS          float64            `json:"requestsPerSecond"`
	Complete     int                `json:"complete"`
	Failed       int                `json:"failed"`
	Status       map[string]int     `json:"statusClasses"`
	Mix          map[string]int     `json:"mix,omitempty"`
	Errors       map[string]int     `json:"errors,omitempty"`
	LatencyMs    map[string]float64 `json:"latencyMs"`
	latencies    []time.Duration
	total        time.Duration
}

func pick(sorted []time.Duration, n, num, den int) time.Duration {
	i := n * num / den
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	if i < 0 {
		return 0
	}
	return sorted[i]
}

// ---------------------------------------------------------------------------
// HTTP

type client struct {
	opts *options
	http *http.Client
}

func newClient(opts *options) *client {
	tr := &http.Transport{
		Proxy:               nil, // loopback benchmark: never a proxy
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &client{opts: opts, http: &http.Client{Transport: tr, Timeout: 15 * time.Minute}}
}

type reply struct {
	status   int
	location string
	body     []byte
}

// do sends one request. Bodies are read completely (kept when keep is set,
// else discarded), as zb's client does.
func (c *client) do(method, target string, body io.Reader, length int64, contentType string, keep bool) (reply, error) {
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.ContentLength = length
		if length == 0 {
			req.Body = http.NoBody
		}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if (method == http.MethodGet || method == http.MethodHead) && contentType == mediaManifest {
		// zb sends only Content-Type on manifest HEAD/GET. Distribution then
		// answers 404 ("OCI manifest found, but accept header does not
		// support OCI manifests"), so every zb pull test fails against it.
		// Real clients send Accept; so does this tool (a deliberate
		// difference from zb).
		req.Header.Set("Accept", mediaManifest)
	}
	if c.opts.hasAuth {
		req.SetBasicAuth(c.opts.user, c.opts.pass)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, location: resp.Header.Get("Location")}
	if keep {
		r.body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if traceRequests {
		fmt.Fprintf(os.Stderr, "zb-compat trace: %s %s %d %v\n", method, req.URL.Path, r.status, time.Since(start))
	}
	return r, err
}

// ZB_COMPAT_TRACE=1 prints every request's method, path, status and time
// on stderr (for finding which step of a test item is slow).
var traceRequests = os.Getenv("ZB_COMPAT_TRACE") == "1"

func (c *client) url(p string) string {
	return strings.TrimRight(c.opts.base.String(), "/") + p
}

// resolve turns a Location header into an absolute URL and optionally adds
// ?digest= (keeping the registry's own query parameters).
func (c *client) resolve(location, digest string) (string, error) {
	if location == "" {
		return "", errors.New("no Location header")
	}
	ref, err := url.Parse(location)
	if err != nil {
		return "", err
	}
	u := c.opts.base.ResolveReference(ref)
	if digest != "" {
		q := "digest=" + url.QueryEscape(digest)
		if u.RawQuery == "" {
			u.RawQuery = q
		} else {
			u.RawQuery += "&" + q
		}
	}
	return u.String(), nil
}

type stepError struct {
	status int
	msg    string
}

func (e *stepError) Error() string { return e.msg }

// req sends one request and checks its status.
func (c *client) req(step string, want int, method, target string, body io.Reader, length int64, contentType string, keep bool) (reply, error) {
	r, err := c.do(method, target, body, length, contentType, keep)
	return expect(r, err, want, step)
}

func expect(r reply, err error, want int, step string) (reply, error) {
	if err != nil {
		return r, &stepError{msg: step + ": " + err.Error()}
	}
	if r.status != want {
		return r, &stepError{status: r.status, msg: fmt.Sprintf("%s: status %d", step, r.status)}
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// image operations

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newRepoName(prefix string) string {
	h := randomHex(16)
	id := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	if prefix != "" {
		return prefix + "/" + id
	}
	return id
}

func randomConfig() ([]byte, string) {
	cfg := map[string]any{
		"created":      time.Now().UTC().Format(time.RFC3339Nano),
		"author":       "zb-compat",
		"architecture": "amd64",
		"os":           "linux",
		"config":       map[string]any{"Labels": map[string]string{"nonce": randomHex(16)}},
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{}},
	}
	b, _ := json.Marshal(cfg)
	sum := sha256.Sum256(b)
	return b, "sha256:" + hex.EncodeToString(sum[:])
}

// pushImage pushes one single-layer image (layer of `size` from the test
// data, random config) to a new repository, tagged `tag`.
func (c *client) pushImage(repo string, size int, tag string, chunked bool) (int, error) {
	blob := c.opts.blobs[size]
	start, err := c.req("POST upload", http.StatusAccepted, http.MethodPost, c.url("/v2/"+repo+"/blobs/uploads/"), nil, 0, "", false)
	if err != nil {
		return start.status, err
	}
	f, err := os.Open(blob.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if chunked {
		loc, err := c.resolve(start.location, "")
		if err != nil {
			return start.status, err
		}
		r, err := c.req("PATCH layer", http.StatusAccepted, http.MethodPatch, loc, f, int64(size), "application/octet-stream", false)
		if err != nil {
			return r.status, err
		}
		if loc, err = c.resolve(r.location, blob.digest); err != nil {
			return r.status, err
		}
		if r, err = c.req("PUT layer", http.StatusCreated, http.MethodPut, loc, http.NoBody, 0, "application/octet-stream", false); err != nil {
			return r.status, err
		}
	} else {
		loc, err := c.resolve(start.location, blob.digest)
		if err != nil {
			return start.status, err
		}
		if r, err := c.req("PUT layer", http.StatusCreated, http.MethodPut, loc, f, int64(size), "application/octet-stream", false); err != nil {
			return r.status, err
		}
	}

	cfg, cfgDigest := randomConfig()
	r, err := c.req("POST config upload", http.StatusAccepted, http.MethodPost, c.url("/v2/"+repo+"/blobs/uploads/"), nil, 0, "", false)
	if err != nil {
		return r.status, err
	}
	if chunked {
		loc, err := c.resolve(r.location, "")
		if err != nil {
			return r.status, err
		}
		// zb sends an empty PATCH here (its file reader is already drained)
		// before the config chunk; reproduced for an identical request mix.
		if r, err = c.req("PATCH empty", http.StatusAccepted, http.MethodPatch, loc, http.NoBody, 0, "application/octet-stream", false); err != nil {
			return r.status, err
		}
		if loc, err = c.resolve(r.location, ""); err != nil {
			return r.status, err
		}
		if r, err = c.req("PATCH config", http.StatusAccepted, http.MethodPatch, loc, bytes.NewReader(cfg), int64(len(cfg)), "application/octet-stream", false); err != nil {
			return r.status, err
		}
		if loc, err = c.resolve(r.location, cfgDigest); err != nil {
			return r.status, err
		}
		if r, err = c.req("PUT config", http.StatusCreated, http.MethodPut, loc, http.NoBody, 0, "application/octet-stream", false); err != nil {
			return r.status, err
		}
	} else {
		loc, err := c.resolve(r.location, cfgDigest)
		if err != nil {
			return r.status, err
		}
		if r, err = c.req("PUT config", http.StatusCreated, http.MethodPut, loc, bytes.NewReader(cfg), int64(len(cfg)), "application/octet-stream", false); err != nil {
			return r.status, err
		}
	}

	m := manifest{
		SchemaVersion: 2,
		Config:        descriptor{MediaType: mediaConfig, Digest: cfgDigest, Size: int64(len(cfg))},
		Layers:        []descriptor{{MediaType: mediaLayer, Digest: blob.digest, Size: int64(size)}},
	}
	body, _ := json.MarshalIndent(m, "", "\t")
	r, err = c.req("PUT manifest", http.StatusCreated, http.MethodPut, c.url("/v2/"+repo+"/manifests/"+tag), bytes.NewReader(body), int64(len(body)), mediaManifest, false)
	return r.status, err
}

// pullImage pulls repo:tag the way zb does; returns the last status.
func (c *client) pullImage(repo, tag string) (int, error) {
	mURL := c.url("/v2/" + repo + "/manifests/" + tag)
	r, err := c.req("HEAD manifest", http.StatusOK, http.MethodHead, mURL, nil, 0, mediaManifest, false)
	if err != nil {
		return r.status, err
	}
	if r, err = c.req("GET manifest", http.StatusOK, http.MethodGet, mURL, nil, 0, mediaManifest, true); err != nil {
		return r.status, err
	}
	var m manifest
	if err := json.Unmarshal(r.body, &m); err != nil {
		return r.status, &stepError{status: r.status, msg: "manifest JSON: " + err.Error()}
	}
	blobs := append([]descriptor{m.Config}, m.Layers...)
	for _, d := range blobs {
		bURL := c.url("/v2/" + repo + "/blobs/" + d.Digest)
		if r, err = c.req("HEAD blob", http.StatusOK, http.MethodHead, bURL, nil, 0, "", false); err != nil {
			return r.status, err
		}
		if r, err = c.req("GET blob", http.StatusOK, http.MethodGet, bURL, nil, 0, "", false); err != nil {
			return r.status, err
		}
	}
	return r.status, nil
}

// ---------------------------------------------------------------------------
// weights

func choose(probs []float64) int {
	sum := 0.0
	for _, p := range probs {
		sum += p
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<53))
	x := float64(n.Int64()) / float64(int64(1)<<53) * sum
	acc := 0.0
	for i, p := range probs {
		acc += p
		if x < acc {
			return i
		}
	}
	return len(probs) - 1
}

// ---------------------------------------------------------------------------
// test driver

type image struct{ repo, tag string }

func timed(out chan<- record, fn func() (int, error)) {
	start := time.Now()
	status, err := fn()
	rec := record{latency: time.Since(start), status: status}
	if err != nil {
		rec.failed = true
		rec.err = err.Error()
		var se *stepError
		if errors.As(err, &se) && se.status == 0 {
			rec.err = "connection: " + err.Error()
		}
	}
	out <- rec
}

func runClient(t testDef, opts *options, items int, out chan<- record, mix *counters) error {
	c := newClient(opts)
	defer c.http.CloseIdleConnections()
	var repos []string
	sizeFor := func() int {
		if t.size != 0 {
			return t.size
		}
		s := sizes[choose(t.probs)]
		mix.inc(sizeNames[s])
		return s
	}
	setupPush := func(size int) (image, error) {
		repo := newRepoName(opts.repoPrefix)
		repos = append(repos, repo)
		tag := fmt.Sprintf("tag%d", size)
		if _, err := c.pushImage(repo, size, tag, false); err != nil {
			return image{}, fmt.Errorf("setup push: %w", err)
		}
		return image{repo, tag}, nil
	}
	push := func(count int, chunked bool) {
		repo := newRepoName(opts.repoPrefix)
		repos = append(repos, repo)
		size := sizeFor()
		timed(out, func() (int, error) { return c.pushImage(repo, size, fmt.Sprintf("tag%d", count), chunked) })
	}

	switch t.kind {
	case kindCatalog:
		for i := 0; i < items; i++ {
			if _, err := setupPush(sizeFor()); err != nil {
				return err
			}
		}
		for i := 0; i < items; i++ {
			timed(out, func() (int, error) {
				r, err := c.do(http.MethodGet, c.url("/v2/_catalog"), nil, 0, "", false)
				r, err = expect(r, err, http.StatusOK, "GET catalog")
				return r.status, err
			})
		}
	case kindPushMonolith, kindPushChunk:
		for i := 0; i < items; i++ {
			push(i, t.kind == kindPushChunk)
		}
	case kindPull:
		var images []image
		if t.size != 0 {
			img, err := setupPush(t.size)
			if err != nil {
				return err
			}
			images = []image{img}
		} else {
			for _, s := range sizes {
				img, err := setupPush(s)
				if err != nil {
					return err
				}
				images = append(images, img)
			}
		}
		for i := 0; i < items; i++ {
			img := images[0]
			if t.size == 0 {
				k := choose(t.probs)
				mix.inc(sizeNames[sizes[k]])
				img = images[k]
			}
			timed(out, func() (int, error) { return c.pullImage(img.repo, img.tag) })
		}
	case kindMixedPullPush:
		img, err := setupPush(t.size)
		if err != nil {
			return err
		}
		for i := 0; i < items; i++ {
			if choose(t.probs) == 0 {
				mix.inc("Pull")
				timed(out, func() (int, error) { return c.pullImage(img.repo, img.tag) })
			} else {
				mix.inc("Push")
				push(i, false)
			}
		}
	}

	if !opts.skipCleanup {
		// zot's repository DELETE; other registries answer 404/405, which
		// (unlike zb, which aborts) is ignored here.
		for _, repo := range repos {
			_, _ = c.do(http.MethodDelete, c.url("/v2/"+repo+"/"), nil, 0, "", false)
		}
	}
	return nil
}

func runTest(t testDef, opts *options, concurrency, requests int) result {
	out := make(chan record, requests)
	mix := &counters{m: map[string]int{}}
	var wg sync.WaitGroup
	var setupErrs []string
	var mu sync.Mutex
	start := time.Now()
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := runClient(t, opts, requests/concurrency, out, mix); err != nil {
				mu.Lock()
				setupErrs = append(setupErrs, err.Error())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := time.Since(start)
	close(out)

	res := result{
		Name: t.name, Concurrency: concurrency, Requests: requests, total: total,
		TotalSeconds: total.Seconds(), RPS: float64(requests) / total.Seconds(),
		Status: map[string]int{}, Errors: map[string]int{}, LatencyMs: map[string]float64{},
	}
	for rec := range out {
		res.latencies = append(res.latencies, rec.latency)
		if rec.failed {
			res.Failed++
			res.Errors[rec.err]++
		}
		switch {
		case rec.status >= 200 && rec.status <= 202:
			res.Status["2xx"]++
		case rec.status >= 300 && rec.status <= 308:
			res.Status["3xx"]++
		case rec.status >= 400 && rec.status <= 451:
			res.Status["4xx"]++
		case rec.status >= 500 && rec.status <= 511:
			res.Status["5xx"]++
		}
	}
	// Items a client never ran because its setup failed count as failed.
	missing := requests - len(res.latencies)
	if missing > 0 {
		res.Failed += missing
		for _, e := range setupErrs {
			res.Errors[e]++
		}
	}
	res.Complete = requests - res.Failed
	sort.Slice(res.latencies, func(i, j int) bool { return res.latencies[i] < res.latencies[j] })
	if len(res.latencies) > 0 {
		ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
		n := requests
		res.LatencyMs["min"] = ms(res.latencies[0])
		res.LatencyMs["max"] = ms(res.latencies[len(res.latencies)-1])
		res.LatencyMs["p50"] = ms(pick(res.latencies, n, 1, 2))
		res.LatencyMs["p75"] = ms(pick(res.latencies, n, 3, 4))
		res.LatencyMs["p90"] = ms(pick(res.latencies, n, 9, 10))
		res.LatencyMs["p99"] = ms(pick(res.latencies, n, 99, 100))
	}
	if len(mix.m) > 0 {
		res.Mix = mix.m
	}
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	return res
}

func printText(w io.Writer, r result) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.TabIndent)
	fmt.Fprintf(tw, "============\n")
	fmt.Fprintf(tw, "Test name:\t%s\n", r.Name)
	fmt.Fprintf(tw, "Time taken for tests:\t%v\n", r.total)
	fmt.Fprintf(tw, "Requests per second:\t%v\n", float32(r.RPS))
	fmt.Fprintf(tw, "Complete requests:\t%v\n", r.Complete)
	fmt.Fprintf(tw, "Failed requests:\t%v\n", r.Failed)
	for e, n := range r.Errors {
		fmt.Fprintf(tw, "Error %s count:\t%d\n", e, n)
	}
	fmt.Fprintf(tw, "\n")
	for _, k := range []string{"1MB", "10MB", "100MB", "Pull", "Push"} {
		if v, ok := r.Mix[k]; ok {
			fmt.Fprintf(tw, "%s:\t%v\n", k, v)
		}
	}
	if len(r.Mix) > 0 {
		fmt.Fprintf(tw, "\n")
	}
	for _, k := range []string{"2xx", "3xx", "4xx", "5xx"} {
		if v, ok := r.Status[k]; ok {
			fmt.Fprintf(tw, "%s responses:\t%v\n", k, v)
		}
	}
	fmt.Fprintf(tw, "\n")
	if len(r.latencies) > 0 {
		n := r.Requests
		fmt.Fprintf(tw, "min: %v\n", r.latencies[0])
		fmt.Fprintf(tw, "max: %v\n", r.latencies[len(r.latencies)-1])
		fmt.Fprintf(tw, "p50:\t%v\n", pick(r.latencies, n, 1, 2))
		fmt.Fprintf(tw, "p75:\t%v\n", pick(r.latencies, n, 3, 4))
		fmt.Fprintf(tw, "p90:\t%v\n", pick(r.latencies, n, 9, 10))
		fmt.Fprintf(tw, "p99:\t%v\n", pick(r.latencies, n, 99, 100))
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
}

// ---------------------------------------------------------------------------
// main

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 && os.Args[1] == "blob" {
		return runBlob(os.Args[2:])
	}
	fs := flag.NewFlagSet("zb-compat", flag.ContinueOnError)
	var auth, repo, outFmt, workDir, testRegex string
	var concurrency, requests int
	var skipCleanup, list, showVersion bool
	for _, n := range []string{"A", "auth-creds"} {
		fs.StringVar(&auth, n, "", "Basic auth credentials user:pass")
	}
	for _, n := range []string{"r", "repo"} {
		fs.StringVar(&repo, n, "", "repository name prefix")
	}
	for _, n := range []string{"o", "output-format"} {
		fs.StringVar(&outFmt, n, "stdout", "stdout, json (JSON on stdout, text on stderr) or ci-cd")
	}
	for _, n := range []string{"d", "working-dir"} {
		fs.StringVar(&workDir, n, "", "directory for test data (a zb-compat-* subdirectory is used)")
	}
	for _, n := range []string{"t", "test-regex"} {
		fs.StringVar(&testRegex, n, "", "run only tests whose name matches")
	}
	for _, n := range []string{"c", "concurrency"} {
		fs.IntVar(&concurrency, n, 1, "parallel clients")
	}
	for _, n := range []string{"n", "requests"} {
		fs.IntVar(&requests, n, 1, "items per test (rounded down to a multiple of -c)")
	}
	for _, n := range []string{"l", "list-tests"} {
		fs.BoolVar(&list, n, false, "list test names and exit")
	}
	for _, n := range []string{"v", "version"} {
		fs.BoolVar(&showVersion, n, false, "print the version and exit")
	}
	fs.BoolVar(&skipCleanup, "skip-cleanup", false, "do not DELETE the pushed repositories (zot-only API)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zb-compat [flags] <registry-url>\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if showVersion {
		fmt.Printf("zb-compat %s (zb test suite, standard library client)\n", version)
		return 0
	}
	var re *regexp.Regexp
	if testRegex != "" {
		var err error
		if re, err = regexp.Compile(testRegex); err != nil {
			fmt.Fprintf(os.Stderr, "zb-compat: bad -t: %v\n", err)
			return 2
		}
	}
	var tests []testDef
	for _, t := range suite {
		if re == nil || re.MatchString(t.name) {
			tests = append(tests, t)
		}
	}
	if list {
		for _, t := range tests {
			fmt.Println(t.name)
		}
		return 0
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if concurrency < 1 || requests < concurrency {
		fmt.Fprintln(os.Stderr, "zb-compat: need -c >= 1 and -n >= -c")
		return 2
	}
	requests = concurrency * (requests / concurrency)
	base, err := url.Parse(fs.Arg(0))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") {
		fmt.Fprintf(os.Stderr, "zb-compat: bad registry URL %q\n", fs.Arg(0))
		return 2
	}
	opts := &options{base: base, repoPrefix: repo, skipCleanup: skipCleanup}
	if auth != "" {
		user, pass, ok := strings.Cut(auth, ":")
		if !ok {
			fmt.Fprintln(os.Stderr, "zb-compat: -A must be user:pass")
			return 2
		}
		opts.user, opts.pass, opts.hasAuth = user, pass, true
	}

	parent := workDir
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "zb-compat-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "zb-compat: %v\n", err)
		return 2
	}
	defer os.RemoveAll(dir)
	wanted := map[int]bool{}
	for _, t := range tests {
		if t.size != 0 {
			wanted[t.size] = true
		} else {
			for _, s := range sizes {
				wanted[s] = true
			}
		}
	}
	if opts.blobs, err = prepareBlobs(dir, wanted); err != nil {
		fmt.Fprintf(os.Stderr, "zb-compat: preparing test data: %v\n", err)
		return 2
	}

	text := io.Writer(os.Stdout)
	if outFmt == "json" {
		text = os.Stderr
	}
	fmt.Fprintf(text, "Registry URL:      %s\nConcurrency Level: %d\nTotal requests:    %d\nWorking dir:       %s\n\n", base, concurrency, requests, dir)
	var results []result
	failed := false
	for _, t := range tests {
		r := runTest(t, opts, concurrency, requests)
		printText(text, r)
		results = append(results, r)
		if r.Failed > 0 {
			failed = true
		}
	}
	switch outFmt {
	case "json":
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"tool": "zb-compat", "version": version, "url": base.String(), "concurrency": concurrency, "requests": requests, "tests": results})
	case "ci-cd":
		type cicd struct {
			Name  string  `json:"name"`
			Unit  string  `json:"unit"`
			Value float32 `json:"value"`
			Range string  `json:"range,omitempty"`
		}
		var out []cicd
		for _, r := range results {
			out = append(out, cicd{Name: r.Name, Unit: "requests per sec", Value: float32(r.RPS), Range: "3"})
		}
		b, _ := json.Marshal(out)
		if err := os.WriteFile("ci-cd.json", b, 0o600); err != nil {
			fmt.Fprintf(os.Stderr, "zb-compat: %v\n", err)
		}
	}
	if failed {
		return 1
	}
	return 0
}
