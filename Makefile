# Crumb — make targets. `make run` and `make test` do all the set-up on a
# fresh machine (Go modules are fetched by the go command).

GO        ?= go
BIN       := bin
PLUGINDIR ?= .crumb/plugins
PLUGINS   := $(notdir $(patsubst %/main.go,%,$(wildcard plugins/*/main.go)))
GOFLAGS_TEST ?= -race -timeout 25m

.PHONY: run serve test build plugins lint tidy bench eval proto demo clean chromium ort ort-fetch edge edge-arm64

## run: build everything, write the demo brand and serve the API and chat UI on localhost:8080
run: build plugins
	./$(BIN)/crumb demo
	./$(BIN)/crumb serve

## test: run every test (with the race detector)
test: export CRUMB_ORT_LIB = $(abspath $(ORT_LIB))
test: chromium ort
	$(GO) test $(GOFLAGS_TEST) ./...

## chromium: install Debian's Chromium (and Korean fonts) for the browser tests when missing
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		echo "installing chromium for the browser tests"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

## build: build the host binary into bin/crumb
build:
	$(GO) build -o $(BIN)/crumb ./host/cmd/crumb

## plugins: build every plugin into the plugin directory
plugins:
	@mkdir -p $(PLUGINDIR)
	@for p in $(PLUGINS); do \
		echo "plugin $$p -> $(PLUGINDIR)/$$p"; \
		$(GO) build -o $(PLUGINDIR)/$$p ./plugins/$$p || exit 1; \
	done

## demo: write the demo brand into the database
demo: build
	./$(BIN)/crumb demo

## eval: backtest the forecast on the real bakery datasets beside the checkout
DATA ?= ../shared/data
eval: build plugins
	./$(BIN)/crumb eval forecast --data $(DATA)

## lint: gofmt, go vet and staticcheck (pinned in go.mod as a tool)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## tidy: fail if go mod tidy would change go.mod or go.sum
# -e: a test dependency of modernc.org/sqlite (google/pprof) is refused by the proxy.
tidy:
	$(GO) mod tidy -e
	git diff --exit-code go.mod go.sum

## bench: the plugin call benchmark (p50/p99 through the plugin, in process, bare gRPC echo)
bench: build plugins
	$(GO) test -run '^$$' -bench 'BenchmarkToolCall' -benchtime 2000x ./plugins/catalog/
	./$(BIN)/crumb bench forecast

## proto: regenerate the tool protocol's Go code (needs protoc: apt-get install protobuf-compiler)
proto:
	@command -v protoc >/dev/null || { echo "protoc is missing: apt-get install -y protobuf-compiler"; exit 1; }
	cd tools/internal/protocol/toolsv1 && protoc \
		--plugin=protoc-gen-go="$$($(GO) tool -n protoc-gen-go)" \
		--plugin=protoc-gen-go-grpc="$$($(GO) tool -n protoc-gen-go-grpc)" \
		--go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative tools.proto

## ort: fetch ONNX Runtime (onnxruntime-node@1.24.1's libonnxruntime) into .crumb/ort for this machine
ORT_VERSION := 1.24.1
ORT_LIB     := .crumb/ort/libonnxruntime.so
ORT_ARCH    := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
ort: $(ORT_LIB)
$(ORT_LIB):
	@$(MAKE) --no-print-directory ort-fetch ORT_FETCH_ARCH=$(ORT_ARCH) ORT_OUT=$@

# ort-fetch: npm pack (not install: its install script fetches CUDA files), then extract one library.
ort-fetch:
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install -y npm"; exit 1; }
	@mkdir -p $(dir $(ORT_OUT)) .crumb/ort/pack
	@[ -f .crumb/ort/pack/onnxruntime-node-$(ORT_VERSION).tgz ] || (cd .crumb/ort/pack && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null)
	tar -xzf .crumb/ort/pack/onnxruntime-node-$(ORT_VERSION).tgz -O package/bin/napi-v6/linux/$(ORT_FETCH_ARCH)/libonnxruntime.so.1 > $(ORT_OUT).tmp
	mv $(ORT_OUT).tmp $(ORT_OUT)

## edge: build crumb-edge into bin/ (and fetch ONNX Runtime; run it with --ort-lib or CRUMB_ORT_LIB)
edge: ort
	$(GO) build -o $(BIN)/crumb-edge ./edge/cmd/crumb-edge

## edge-arm64: cross-compile crumb-edge for linux/arm64 (cgo, gcc-aarch64-linux-gnu) with its libonnxruntime beside it
edge-arm64:
	@command -v aarch64-linux-gnu-gcc >/dev/null || { echo "aarch64-linux-gnu-gcc is missing: apt-get install -y gcc-aarch64-linux-gnu"; exit 1; }
	CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc $(GO) build -o $(BIN)/linux-arm64/crumb-edge ./edge/cmd/crumb-edge
	@$(MAKE) --no-print-directory ort-fetch ORT_FETCH_ARCH=arm64 ORT_OUT=$(BIN)/linux-arm64/libonnxruntime.so

clean:
	rm -rf $(BIN) $(PLUGINDIR)
