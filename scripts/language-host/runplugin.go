// RunPlugin for the v3.68.0 Node.js language host, whose own RunPlugin answers "not supported".
// Since v3.221 the CLI starts Node policy packs through the language host's RunPlugin
// (kind "analyzer"); the pack's directory comes in the request's "info" field (ProgramInfo),
// which v3.68's protobuf types do not know, so it is read from the unknown fields.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protowire"
)

// unknownString returns the length-delimited field num of raw protobuf bytes.
func unknownString(raw []byte, num protowire.Number) (string, bool) {
	for len(raw) > 0 {
		n, typ, l := protowire.ConsumeTag(raw)
		if l < 0 {
			return "", false
		}
		raw = raw[l:]
		m := protowire.ConsumeFieldValue(n, typ, raw)
		if m < 0 {
			return "", false
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(raw)
			return string(v), true
		}
		raw = raw[m:]
	}
	return "", false
}

type pluginStream struct {
	mu     *sync.Mutex
	server pulumirpc.LanguageRuntime_RunPluginServer
	stderr bool
}

func (w pluginStream) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: bytes.Clone(p)}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: bytes.Clone(p)}}
	}
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	unknown := req.ProtoReflect().GetUnknown()
	if kind, _ := unknownString(unknown, 6); kind != "analyzer" { // RunPluginRequest.kind
		return fmt.Errorf("RunPlugin: only policy packs (kind analyzer) are supported by this language host, not %q", kind)
	}
	dir := req.Program
	if info, ok := unknownString(unknown, 5); ok { // RunPluginRequest.info
		if d, ok := unknownString([]byte(info), 2); ok && d != "" { // ProgramInfo.program_directory
			dir = d
		}
	}
	if dir == "" {
		return fmt.Errorf("RunPlugin: the request names no policy pack directory")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("RunPlugin: node is not on PATH: %w", err)
	}
	resolve := exec.Command(node, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")
	resolve.Dir = dir
	script, err := resolve.Output()
	if err != nil {
		return fmt.Errorf("Cannot find module '@pulumi/pulumi/cmd/run-policy-pack' from %s: install the policy pack's dependencies (%v)", dir, err)
	}
	// run-policy-pack takes <engine-address> <program>; the CLI sends the engine address.
	args := append([]string{strings.TrimSpace(string(script))}, req.Args...)
	cmd := exec.Command(node, append(args, ".")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.Env...)
	mu := &sync.Mutex{}
	cmd.Stdout = pluginStream{mu: mu, server: server}
	cmd.Stderr = pluginStream{mu: mu, server: server, stderr: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-server.Context().Done():
			_ = cmd.Process.Kill()
		case <-done:
		}
	}()
	code := int32(0)
	if err := cmd.Wait(); err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			return err
		}
		code = int32(exit.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
