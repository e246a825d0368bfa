package engine_test

import (
	"context"
	"sync"

	"github.com/blang/semver"

	"github.com/pulumi/pulumi/pkg/v3/resource/deploy/deploytest"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
)

// rolepairVersion is pulumi-package/package.json's version: the plugin reports it.
const rolepairVersion = "0.1.0"

// componentLoader gives each engine operation's plugin host the running rolepair plugin. The
// engine configures a provider once per operation; the plugin process is shared (see
// startComponentPlugin), so Configure reaches it once and later operations get that answer.
func componentLoader() *deploytest.ProviderLoader {
	return deploytest.NewProviderLoaderWithHost("rolepair", semver.MustParse(rolepairVersion),
		func(plugin.Host) (plugin.Provider, error) {
			return &sharedProvider{Provider: componentPlugin}, nil
		})
}

type sharedProvider struct {
	plugin.Provider
}

var configureOnce struct {
	sync.Once
	resp plugin.ConfigureResponse
	err  error
}

func (p *sharedProvider) Configure(
	ctx context.Context, req plugin.ConfigureRequest,
) (plugin.ConfigureResponse, error) {
	configureOnce.Do(func() {
		configureOnce.resp, configureOnce.err = p.Provider.Configure(ctx, req)
	})
	return configureOnce.resp, configureOnce.err
}

// Close leaves the shared process running: TestMain closes it.
func (p *sharedProvider) Close() error { return nil }
