#!/usr/bin/env python3
"""What a wasm module's bytes are: its sections, and its code by function and by crate, from the module's name section.

    python3 bench/tools/wasm-sizes.py MODULE.wasm [--top N] [--crates]

MODULE.wasm must carry a name section: the package's own module has none (wasm-opt drops it);
`RESUMABLE_S3_NAMED_WASM=/tmp/named.wasm scripts/build.sh` also writes a copy with names (the same wasm-opt passes, -g).
Each function counts for the crate its name starts with, with these rules (crate_of): a trait impl on a primitive or a
generic (`<f64 as core::fmt::Display>::fmt`) is the trait's crate, any other impl its type's (generic code is counted
where it is defined, not where it is used); formatting (core::fmt, float printing, Debug's escaping) is a group of its
own; the exports' shims are the shell's code inlined; an async fn's state machine inlined into the closure of
js_sys::futures that polls it is own code. "gzip" is each group's marginal cost: gzip -9 of all code and data, minus
gzip -9 of the same without the group's functions (so the groups' figures add up to about the total).
"""
import argparse
import gzip
import re
import sys
from collections import defaultdict

# Groups of crates, as bench/SIZE.md reports them. A crate not named here is reported under its own name.
GROUPS = {
    'own code': ['resumable_s3', 'resumable_s3 (async, inlined into js_sys::futures)'],
    'core::fmt (formatting)': ['core::fmt'],
    'std, core, alloc (without fmt)': ['std', 'core', 'alloc', 'compiler_builtins', 'dlmalloc', 'hashbrown', 'rustc_demangle',
                                       '__rustc'],
    'serde, serde-wasm-bindgen': ['serde', 'serde_core', 'serde_wasm_bindgen'],
    'aws-sigv4 and its deps': ['aws_sigv4', 'aws_smithy_types', 'aws_smithy_http', 'aws_smithy_runtime_api', 'aws_smithy_async',
                               'aws_credential_types', 'http', 'bytes', 'sha2', 'hmac', 'digest', 'hex', 'time', 'tracing',
                               'tracing_core', 'crypto_common', 'block_buffer', 'zeroize', 'http_body', 'itoa', 'ryu', 'once_cell',
                               'subtle', 'ctutils', 'cmov', 'num_conv', 'powerfmt', 'deranged', 'generic_array', 'hybrid_array',
                               'typenum', 'form_urlencoded', 'url'],
    'roxmltree': ['roxmltree', 'xmlparser'],
    'checksums, base64, md5, percent-encoding': ['crc', 'crc_catalog', 'base64', 'md5', 'md_5', 'percent_encoding'],
    'wasm-bindgen, js-sys, web-sys, futures, timers': ['wasm_bindgen', 'wasm_bindgen_futures', 'js_sys', 'web_sys', 'futures_util',
                                                       'futures_core', 'futures_task', 'futures_channel', 'gloo_timers', 'slab',
                                                       'pin_project_lite', 'fastrand'],
}


def leb(buf, at):
    value = shift = 0
    while True:
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def name_at(buf, at):
    length, at = leb(buf, at)
    return buf[at:at + length].decode('utf-8', 'replace'), at + length


def sections(buf):
    assert buf[:4] == b'\0asm', 'not a wasm module'
    at = 8
    while at < len(buf):
        kind = buf[at]
        size, start = leb(buf, at + 1)
        yield kind, start, start + size, at
        at = start + size


def imported_functions(buf, start):
    count, at = leb(buf, start)
    functions = 0
    for _ in range(count):
        _, at = name_at(buf, at)
        _, at = name_at(buf, at)
        kind = buf[at]
        at += 1
        if kind == 0:  # function: type index
            _, at = leb(buf, at)
            functions += 1
        elif kind == 1:  # table: reftype, limits
            at += 1
            flags, at = leb(buf, at)
            _, at = leb(buf, at)
            if flags & 1:
                _, at = leb(buf, at)
        elif kind == 2:  # memory: limits
            flags, at = leb(buf, at)
            _, at = leb(buf, at)
            if flags & 1:
                _, at = leb(buf, at)
        elif kind == 3:  # global: valtype, mutability
            at += 2
        else:
            raise ValueError(f'import kind {kind}')
    return functions


def exported_functions(buf, start):
    count, at = leb(buf, start)
    indices = set()
    for _ in range(count):
        _, at = name_at(buf, at)
        kind = buf[at]
        index, at = leb(buf, at + 1)
        if kind == 0:
            indices.add(index)
    return indices


def function_names(buf, start, end):
    _, at = name_at(buf, start)  # "name"
    names = {}
    while at < end:
        sub = buf[at]
        size, body = leb(buf, at + 1)
        if sub == 1:
            count, p = leb(buf, body)
            for _ in range(count):
                index, p = leb(buf, p)
                names[index], p = name_at(buf, p)
        at = body + size
    return names


LEGACY = re.compile(r'^_ZN(.*)E$')
ESCAPES = {'$LT$': '<', '$GT$': '>', '$RF$': '&', '$BP$': '*', '$C$': ',', '$u20$': ' ', '$u27$': "'", '$u5b$': '[', '$u5d$': ']',
           '$u7b$': '{', '$u7d$': '}', '$u3b$': ';', '$u7e$': '~', '$u21$': '!', '$u2b$': '+', '$LP$': '(', '$RP$': ')'}


def demangle(name):
    """Legacy Rust mangling (`_ZN…E`) to a path, without the hash; other names as they are."""
    match = LEGACY.match(name)
    if match:
        body, parts = match.group(1), []
        while body and body[0].isdigit():
            digits = re.match(r'\d+', body).group(0)
            n = int(digits)
            parts.append(body[len(digits):len(digits) + n])
            body = body[len(digits) + n:]
        if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]):
            parts.pop()
        name = '::'.join(parts)
        for escape, char in ESCAPES.items():
            name = name.replace(escape, char)
        name = name.replace('..', '::').lstrip('_')
    return re.sub(r'::h[0-9a-f]{16}$', '', name)


PRIMITIVE = re.compile(r'^([&*\[(]|dyn |mut |const |(bool|char|str|f32|f64|[iu](8|16|32|64|128|size)|[A-Z])\b)')
# Formatting, wherever core or alloc define it: fmt itself, float printing, Debug's escaping and its Unicode tables.
FMT = re.compile(r'^(core|alloc)::(fmt|num::flt2dec|num::bignum|unicode::printable|char::escape_debug)')


def impl_parts(name):
    """`<SELF as TRAIT>::rest` split at the top level into (SELF, TRAIT); None for other names."""
    if not name.startswith('<'):
        return None
    depth = 0
    for i, c in enumerate(name):
        depth += {'<': 1, '>': -1}.get(c, 0)
        if depth == 1 and name.startswith(' as ', i):
            self_type, rest = name[1:i], name[i + 4:]
            close, depth2 = 0, 1
            for j, d in enumerate(rest):
                depth2 += {'<': 1, '>': -1}.get(d, 0)
                if depth2 == 0:
                    close = j
                    break
            return self_type, rest[:close]
        if depth == 0:
            return name[1:i], None
    return None


def crate_of(name, exported):
    """The crate a function is counted for (bench/SIZE.md explains the rules)."""
    name = re.sub(r'\[[0-9a-f]{16}\]', '', name)
    if '::' not in name:
        if exported:
            return 'resumable_s3'  # an export: the shell's code, inlined into wasm-bindgen's shim
        if name.startswith('#') or name.startswith('__wbindgen') or name.startswith('__externref'):
            return 'wasm_bindgen'
        return 'compiler_builtins'  # memcmp, __multi3, fmax…
    # An async fn's state machine is inlined into the spawn/promise closure that polls it: wasm-bindgen-futures'
    # name, the shell's code (Engine::start's upload).
    if name.startswith('js_sys::futures::future_to_promise::{{closure}}') or name.startswith('wasm_bindgen_futures::'):
        return 'resumable_s3 (async, inlined into js_sys::futures)'
    parts = impl_parts(name)
    if parts:
        self_type, trait = parts
        if trait is None and PRIMITIVE.match(self_type):
            name = 'core::' + self_type + name[len(self_type) + 2:]  # <char>::escape_debug_ext: core's
        else:
            name = trait if trait and PRIMITIVE.match(self_type) else self_type
        if trait and PRIMITIVE.match(self_type) is None and 'fmt::' in trait and name.startswith(('core::', 'alloc::', 'std::')):
            name = trait
    name = name.lstrip('<&*( ')
    if FMT.match(name):
        return 'core::fmt'
    if name.startswith(('impl ', 'dyn ')):
        name = name.split(' ', 1)[1]
    head = re.match(r'[A-Za-z_][A-Za-z0-9_]*', name)
    return head.group(0) if head else 'compiler_builtins'


def group_of(crate):
    for group, crates in GROUPS.items():
        if crate in crates:
            return group
    return crate


def gz(data):
    return len(gzip.compress(data, 9, mtime=0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('module')
    parser.add_argument('--top', type=int, default=25, help='largest functions to list')
    parser.add_argument('--crates', action='store_true', help='list each crate, not only the groups')
    args = parser.parse_args()
    buf = open(args.module, 'rb').read()

    names, bodies, data, imported, exported = {}, [], b'', 0, set()
    section_sizes = defaultdict(int)
    kinds = {0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 8: 'start',
             9: 'element', 10: 'code', 11: 'data', 12: 'data count'}
    for kind, start, end, header in sections(buf):
        label = kinds.get(kind, str(kind))
        if kind == 0:
            label = 'custom ' + name_at(buf, start)[0]
            if label == 'custom name':
                names = function_names(buf, start, end)
        section_sizes[label] += end - header
        if kind == 2:
            imported = imported_functions(buf, start)
        elif kind == 7:
            exported = exported_functions(buf, start)
        elif kind == 10:
            count, at = leb(buf, start)
            for i in range(count):
                size, body = leb(buf, at)
                bodies.append((imported + i, buf[body:body + size]))
                at = body + size
        elif kind == 11:
            data = buf[start:end]
    if not names:
        sys.exit(f'{args.module} has no name section: build a copy with names (see bench/SIZE.md)')

    print(f'{args.module}: {len(buf):,} B, gzip -9 {gz(buf):,} B; {len(bodies):,} functions')
    print('\nsection                  bytes')
    for label, size in sorted(section_sizes.items(), key=lambda kv: -kv[1]):
        print(f'{label:<22} {size:>8,}')

    functions = [(demangle(names.get(index, f'#{index}')), body, index in exported) for index, body in bodies]
    by_group, by_crate = defaultdict(list), defaultdict(list)
    for name, body, is_export in functions:
        crate = crate_of(name, is_export)
        by_crate[crate].append(body)
        by_group[group_of(crate)].append(body)
    functions = [(name, body) for name, body, _ in functions]
    everything = b''.join(body for _, body in functions) + data
    total_gz = gz(everything)

    def table(title, groups):
        print(f'\n{title:<48} {"code B":>9} {"share":>6} {"gzip B":>8} {"fns":>5}')
        code_total = sum(len(b) for _, b in functions)
        rows = []
        for group, members in groups.items():
            size = sum(len(b) for b in members)
            ids = {id(b) for b in members}
            rest = b''.join(body for _, body in functions if id(body) not in ids) + data
            rows.append((group, size, total_gz - gz(rest), len(members)))
        rows.append(('data section (strings, tables)', len(data), total_gz - gz(b''.join(b for _, b in functions)), 0))
        for group, size, marginal, count in sorted(rows, key=lambda r: -r[2]):
            print(f'{group[:48]:<48} {size:>9,} {100 * size / (code_total + len(data)):>5.1f}% {marginal:>8,} {count:>5}')
        print(f'{"all code and data":<48} {code_total + len(data):>9,} {100:>5}% {total_gz:>8,} {len(functions):>5}')

    table('group', by_group)
    if args.crates:
        table('crate', by_crate)
    fmt = [(n, b) for n, b in functions if 'fmt' in n]
    print(f'\nfunctions with "fmt" in their name: {len(fmt)}, {sum(len(b) for _, b in fmt):,} B of code')
    print(f'\nlargest {args.top} functions')
    for name, body in sorted(functions, key=lambda f: -len(f[1]))[:args.top]:
        print(f'{len(body):>8,}  {name[:140]}')


if __name__ == '__main__':
    main()
