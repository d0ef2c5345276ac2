"""What scripts/install.sh installs for one variant: its public headers, a
static and a shared library that each hold the whole runtime (object layer,
strategy, lock, allocator), and two pkg-config files.

The libraries are made from the object files Bazel already compiled for the
variant's cc_library and everything it depends on (its CcInfo), so they
hold exactly what a Bazel test of that variant links. Bazel's own outputs
do not serve: bazel-bin/lib<variant>.a lacks the strategy's and the lock's
objects, and a cc_binary(linkshared = 1) would pull in libstdc++ and export
every internal name. The shared library is linked here with the C driver,
a SONAME and a version script derived from the public headers
(dist/exports.sh)."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

VERSION = "0.1.0"
SOVERSION = "0"

def _link_inputs(cc_info):
    """The PIC object files and the link flags (-lmimalloc, ...) of a
    cc_library and its transitive deps, in link order."""
    objects = []
    flags = []
    for li in cc_info.linking_context.linker_inputs.to_list():
        for f in li.user_link_flags:
            if f not in flags:
                flags.append(f)
        for lib in li.libraries:
            objects.extend(lib.pic_objects or lib.objects)
    return objects, flags

def _shell(ctx, outputs, inputs, tools, command, arguments, mnemonic, cc):
    ctx.actions.run_shell(
        outputs = outputs,
        inputs = inputs,
        tools = tools,
        command = command,
        arguments = arguments,
        env = {"CC": cc.compiler_executable, "NM": cc.nm_executable, "PATH": "/usr/bin:/bin"},
        mnemonic = mnemonic,
        progress_message = "%s %s" % (mnemonic, ctx.label),
    )

def _refcore_dist_impl(ctx):
    cc = find_cpp_toolchain(ctx)
    cc_info = ctx.attr.lib[CcInfo]
    name = ctx.attr.lib_name
    defines = [d for d in cc_info.compilation_context.defines.to_list() if d.startswith("RC")]
    dflags = ["-D" + d for d in defines]
    umbrella = ctx.file.umbrella
    root = umbrella.dirname or "."
    objects, link_flags = _link_inputs(cc_info)
    toolchain_files = cc.all_files

    # Headers: the ones refcore.h reaches under this strategy.
    include = ctx.actions.declare_directory(name + "/include")
    _shell(
        ctx,
        [include],
        depset([umbrella], transitive = [cc_info.compilation_context.headers, toolchain_files]),
        [ctx.file._headers_sh],
        'bash "$1" "$2" "$3" "${@:4}"',
        [ctx.file._headers_sh.path, include.path, root] + dflags,
        "RefcoreHeaders",
        cc,
    )

    # Version script: the exported names, everything else local.
    version_script = ctx.actions.declare_file(name + "/exports.map")
    _shell(
        ctx,
        [version_script],
        depset([include], transitive = [toolchain_files]),
        [ctx.file._exports_sh],
        'set -euo pipefail; out=$1; shift; { echo "REFCORE_%s {"; echo "  global:"; bash "$@" | sed "s/.*/    &;/"; echo "  local: *;"; echo "};"; } >"$out"' % SOVERSION,
        [version_script.path, ctx.file._exports_sh.path, include.path] + dflags,
        "RefcoreExports",
        cc,
    )

    static = ctx.actions.declare_file(name + "/lib%s.a" % name)
    _shell(
        ctx,
        [static],
        depset(objects, transitive = [toolchain_files]),
        [],
        # q, not r: two object files may share a base name.
        'out=$1; ar=$2; shift 2; rm -f "$out"; "$ar" qcsD "$out" "$@"',
        [static.path, cc.ar_executable] + [o.path for o in objects],
        "RefcoreStatic",
        cc,
    )

    soname = "lib%s.so.%s" % (name, SOVERSION)
    shared = ctx.actions.declare_file("%s/lib%s.so.%s" % (name, name, VERSION))
    _shell(
        ctx,
        [shared],
        depset(objects + [version_script], transitive = [toolchain_files]),
        [],
        'out=$1; shift; "$CC" -shared -o "$out" "$@"',
        [
            shared.path,
            "-Wl,-soname," + soname,
            "-Wl,--version-script=" + version_script.path,
            "-Wl,--no-undefined",
            "-Wl,-z,relro,-z,now",
        ] + [o.path for o in objects] + link_flags,
        "RefcoreShared",
        cc,
    )

    # pkg-config: @PREFIX@ is filled in by scripts/install.sh.
    cflags = "-I${includedir}/%s %s" % (ctx.attr.include_name, " ".join(dflags))
    private = " ".join(link_flags)
    head = "prefix=@PREFIX@\nincludedir=${prefix}/include\nlibdir=${prefix}/lib\n\n"
    pc = ctx.actions.declare_file(name + "/%s.pc" % name)
    ctx.actions.write(pc, head + "\n".join([
        "Name: " + name,
        "Description: refcore object runtime, %s variant (shared library)" % ctx.attr.variant,
        "Version: " + VERSION,
        "Cflags: " + cflags,
        "Libs: -L${libdir} -l" + name,
        "Libs.private: " + private,
        "",
    ]))
    pc_static = ctx.actions.declare_file(name + "/%s-static.pc" % name)
    ctx.actions.write(pc_static, head + "\n".join([
        "Name: %s-static" % name,
        "Description: refcore object runtime, %s variant (static library)" % ctx.attr.variant,
        "Version: " + VERSION,
        "Cflags: " + cflags,
        # The archive by path: -l would find the shared library beside it.
        "Libs: ${libdir}/lib%s.a %s" % (name, private),
        "",
    ]))

    outputs = [static, shared, pc, pc_static, version_script]
    if ctx.attr.install_headers:
        outputs.append(include)
    return [DefaultInfo(files = depset(outputs))]

refcore_dist = rule(
    implementation = _refcore_dist_impl,
    doc = "Installable files of one variant (see the file's docstring).",
    attrs = {
        "lib": attr.label(mandatory = True, providers = [CcInfo], doc = "The variant's cc_library, //:gil ..."),
        "lib_name": attr.string(mandatory = True, doc = "refcore-gil: the files are librefcore-gil.a, refcore-gil.pc ..."),
        "variant": attr.string(mandatory = True),
        "include_name": attr.string(mandatory = True, doc = "The headers' folder under include/."),
        "install_headers": attr.bool(default = True),
        "umbrella": attr.label(default = "//:refcore.h", allow_single_file = True),
        "_headers_sh": attr.label(default = "//dist:headers.sh", allow_single_file = True),
        "_exports_sh": attr.label(default = "//dist:exports.sh", allow_single_file = True),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    fragments = ["cpp"],
)
