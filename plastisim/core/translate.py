"""Translation of user callbacks (rules, neuron models) written in plain Python into
numba-compilable functions.

A callback reads and writes named quantities through namespaces (``s.w[k]``, ``p.tau``,
``post.V[j]``, ``sig.dopamine``, ...). Each owner (a rule on a projection, a neuron model on
a population) describes its namespaces with :class:`Space`; :func:`translate` rewrites every
``space.X`` into a plain argument name, checks names and indices, turns ``randn()``/``rand()``
into counter-based draws, inlines module-level numeric constants and compiles module-level
helper functions with the callback. It keeps a map from generated lines to the user's
lines so that compile errors point at the user's file (see :func:`user_location`).
"""
import ast
import inspect
import numbers
import re
import textwrap
import types
import zlib

from .errors import ParameterError

SITES = 4096  # draw index = m * SITES + call site
BUILTINS = {"min", "max", "abs", "range", "int", "float", "bool", "len", "round", "True", "False",
            "None", "math", "np", "exp", "sqrt", "log", "fabs", "randn", "rand"}
RUNTIME = ("t", "dt", "step", "seed", "stream")  # arguments every callback function receives


class Space:
    """A namespace of a callback.

    ``kind``: ``"array"`` (``X[idx]`` -> ``<prefix>X[idx]``), ``"block"`` (synapse rows:
    ``X[idx]`` -> ``<prefix>[idx, column[X]]``), ``"indirect"`` (``X[idx]`` ->
    ``<prefix>X[<prefix>[idx]]``, the argument ``<prefix>`` maps the index, e.g. a synapse to
    the node of its site), ``"scalar"`` (read-only value ``<prefix>X``),
    ``"value"`` (a scalar or array the callback reads as it is, e.g. a signal),
    ``"constant"`` (``X`` replaced by the literal ``names[X]``, compiled in) or ``"local"``
    (``X`` -> local variable ``<prefix>X``, e.g. constants computed once per step).
    ``names``: the known variables (a dict ``{name: column or literal}`` for block/constant).
    """

    def __init__(self, kind, prefix, names, writable=True):
        self.kind, self.prefix, self.names, self.writable = kind, prefix, names, writable


def source_of(owner, name, func):
    """(dedented source, file, first line) of ``func``; a clear error where Python cannot read it."""
    try:
        lines, first = inspect.getsourcelines(func)
        path = inspect.getsourcefile(func) or "<unknown>"
    except (OSError, TypeError):
        raise ParameterError(f"{owner}.{name}: its source cannot be read (defined in exec, stdin or an "
                             "interactive prompt); define it in a .py file or a notebook cell") from None
    return textwrap.dedent("".join(lines)), path, first


class Translation:
    """Result of :func:`translate`: ``source`` of the function, ``used`` (space, var) pairs in
    argument order, ``helpers`` (sources of helper functions), ``recursive`` (names of the
    helpers that are called while being translated: one in each cycle of calls, which must not
    be inlined), ``lines`` (generated line offset -> user line), ``where`` (user file) and
    ``label`` (owner.callback)."""


def translate(owner, name, func, new_name, spaces, indices, extra=(), paired=False):
    """Rewrite ``func`` (callback ``name`` of ``owner``) into function ``new_name``.

    ``spaces``: {namespace: Space}; ``indices``: index names this callback may use (others of
    ``k i j g`` are refused; the first is the element of random draws); ``extra``: further
    names the generated function receives. With ``paired``, ``randn()`` of elements 3m ... 3m + 2
    are the three values of one ``normal_triple`` (cache rows ``rng_cache[site]``). Local
    variables get the prefix ``u_`` (they cannot collide with generated names, and the body can
    be pasted into a generated loop: ``Translation.body``, statements, or for a function that
    is one ``return`` statement, ``Translation.expression``); arguments must not be assigned.
    The function's arguments are ``(*indices, t, dt, step, seed, stream, *extra, *used)``.
    """
    text, path, first = source_of(owner, name, func)
    fdef = ast.parse(text).body[0]
    label = f"{owner}.{name}"
    if not isinstance(fdef, ast.FunctionDef):
        raise ParameterError(f"{label} must be a plain function")
    fdef = _prune(fdef, spaces)

    def where(node):
        return f"{path}, line {first + getattr(node, 'lineno', 1) - 1}"

    def fail(node, message):
        raise ParameterError(f"{label}: {message} ({where(node)})")

    known_args = set(spaces) | set(indices) | {"t", "dt"} | set(extra)
    for a in fdef.args.args:
        if a.arg not in known_args:
            unavailable = a.arg in ("k", "i", "j", "g")
            fail(a, f"{'index' if unavailable else 'argument'} {a.arg!r} is not defined in this callback; "
                    f"it may take any of {sorted(known_args)}")
    for node in ast.walk(fdef):
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not fdef:
            fail(node, "lambdas and nested functions or classes are not supported in callbacks; "
                       "use a module-level helper function")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and (
                node.id in spaces or node.id in {a.arg for a in fdef.args.args}):
            fail(node, f"{node.id!r} is {'a namespace' if node.id in spaces else 'an argument'} of the callback "
                       "and cannot be assigned; use a new local variable")
    used, draws, helpers, recursive = [], [0], {}, set()
    # assigned names are local variables (also an undeclared index or t: as in Python)
    local_names = {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}

    def lookup(node):
        """(space name, Space, var) if ``node`` is ``space.var`` of a known namespace, else None."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in spaces:
            space = spaces[node.value.id]
            if node.attr not in space.names:
                fail(node, f"unknown name {node.value.id}.{node.attr}; known: {sorted(space.names)}")
            return node.value.id, space, node.attr
        return None

    def use(key):
        if key not in used:
            used.append(key)

    class Rewriter(ast.NodeTransformer):
        def visit_Subscript(self, node):
            found = lookup(node.value)
            if found is not None and found[1].kind == "indirect":
                sname, space, var = found
                use((sname, None))
                use((sname, var))
                index = ast.Subscript(value=ast.Name(id=space.prefix, ctx=ast.Load()),
                                      slice=self.visit(node.slice), ctx=ast.Load())
                return ast.copy_location(ast.Subscript(value=ast.Name(id=space.prefix + var, ctx=ast.Load()),
                                                       slice=index, ctx=node.ctx), node)
            if found is None or found[1].kind != "block":
                return self.generic_visit(node)
            sname, space, var = found
            use((sname, None))
            row = ast.Tuple(elts=[self.visit(node.slice), ast.Constant(value=space.names[var])], ctx=ast.Load())
            return ast.copy_location(ast.Subscript(value=ast.Name(id=space.prefix, ctx=ast.Load()),
                                                   slice=row, ctx=node.ctx), node)

        def visit_Attribute(self, node):
            found = lookup(node)
            if found is None:
                return self.generic_visit(node)
            sname, space, var = found
            if space.kind in ("block", "indirect"):
                fail(node, f"{sname}.{var} must be indexed, e.g. {sname}.{var}[k]")
            if isinstance(node.ctx, ast.Store) and (space.kind in ("scalar", "constant", "value")
                                                    or not space.writable):
                fail(node, f"{sname}.{var} is read only")
            if space.kind == "constant":
                return ast.copy_location(ast.Constant(value=space.names[var]), node)
            if space.kind != "local":
                use((sname, var))
            return ast.copy_location(ast.Name(id=space.prefix + var, ctx=node.ctx), node)

        def visit_Name(self, node):
            if node.id in spaces and not isinstance(node.ctx, ast.Store):
                fail(node, f"namespace {node.id!r} must be used as {node.id}.NAME")
            if node.id in local_names:
                return ast.copy_location(ast.Name(id="u_" + node.id, ctx=node.ctx), node)
            if isinstance(node.ctx, ast.Load) and node.id not in local_names and node.id not in BUILTINS \
                    and node.id not in known_args and node.id not in RUNTIME:
                value = func.__globals__.get(node.id)
                if isinstance(value, numbers.Number) and not isinstance(value, bool):
                    return ast.copy_location(ast.Constant(value=float(value) if isinstance(value, float)
                                                          else value), node)
                if isinstance(value, bool):
                    return ast.copy_location(ast.Constant(value=value), node)
                if isinstance(value, types.FunctionType):
                    return ast.copy_location(ast.Name(id=add_helper(value, label, helpers, recursive),
                                                      ctx=node.ctx), node)
                fail(node, f"name {node.id!r} is not defined here (callbacks may use local variables, "
                           "their namespaces, module-level numbers and functions)")
            return node

        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id in ("randn", "rand"):
                if len(node.args) > 1:
                    fail(node, f"{node.func.id}() takes at most one argument (the draw number m)")
                fn = "_normal" if node.func.id == "randn" else "_uniform"
                element = indices[0] if indices else "0"
                args = [ast.Name(id=a, ctx=ast.Load()) for a in ("seed", "stream", element, "step")]
                draw = ast.Constant(value=draws[0])
                if node.args:
                    draw = ast.BinOp(left=ast.BinOp(left=node.args[0], op=ast.Mult(), right=ast.Constant(SITES)),
                                     op=ast.Add(), right=draw)
                args.append(draw)
                if paired and fn == "_normal":
                    if node.args:
                        fail(node, "randn(m) is not available in neuron models and mechanisms; use separate randn() calls")
                    fn = "_normal_shared"
                    args.append(ast.Subscript(value=ast.Name(id="rng_cache", ctx=ast.Load()),
                                              slice=ast.Constant(value=draws[0]), ctx=ast.Load()))
                draws[0] += 1
                return ast.copy_location(ast.Call(func=ast.Name(id=fn, ctx=ast.Load()), args=args,
                                                  keywords=[]), node)
            return node

    fdef = Rewriter().visit(fdef)
    fdef.decorator_list = []
    fdef.name = new_name
    argnames = list(indices) + list(RUNTIME) + list(extra)
    argnames += [spaces[s].prefix + (v or "") for s, v in used]
    fdef.args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=a) for a in argnames], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    ast.fix_missing_locations(fdef)
    out = Translation()
    out.source = ast.unparse(fdef)
    out.used, out.helpers, out.recursive, out.where, out.label = used, helpers, recursive, path, label
    out.draws = draws[0]
    out.lines = _line_map(fdef, out.source, first)
    body = fdef.body[1:] if fdef.body and isinstance(fdef.body[0], ast.Expr) \
        and isinstance(fdef.body[0].value, ast.Constant) else fdef.body  # without a docstring
    returns = [n for n in ast.walk(fdef) if isinstance(n, ast.Return)]
    out.expression = ast.unparse(body[0].value) if len(body) == 1 and returns == body else None
    out.body = [ast.unparse(stmt) for stmt in body] if not returns else None
    out.body_line = ast.parse(out.source).body[0].body[len(fdef.body) - len(body)].lineno if body else 2
    return out


def namespace_uses(owner, name, func, space):
    """(used, written): the names X of ``space.X`` that callback ``func`` uses and those it
    assigns to (``space.X[i] = ...``), from its source (helpers not included); ``space=None``:
    the plain names it reads (e.g. the argument ``v``) and assigns."""
    fdef = ast.parse(source_of(owner, name, func)[0]).body[0]
    used, written = set(), set()
    for node in ast.walk(fdef):
        if space is None and isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else written).add(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == space:
            used.add(node.attr)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Attribute) and isinstance(node.value.value, ast.Name) \
                and node.value.value.id == space:
            written.add(node.value.attr)
    return used, written


def _prune(fdef, spaces):
    """Drop the branches of ``if``/``... if ... else ...`` whose test is a compile-time constant
    (``f.X`` or ``not f.X`` of a ``"constant"`` space), before names are checked: a branch for
    another kind of target may use names that do not exist here."""
    def constant(test):
        negate = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        node = test.operand if negate else test
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in spaces \
                and spaces[node.value.id].kind == "constant" and node.attr in spaces[node.value.id].names:
            return bool(spaces[node.value.id].names[node.attr]) != negate
        return None

    class Pruner(ast.NodeTransformer):
        def visit_If(self, node):
            self.generic_visit(node)
            value = constant(node.test)
            if value is None:
                return node
            kept = node.body if value else node.orelse
            return kept or [ast.copy_location(ast.Pass(), node)]

        def visit_IfExp(self, node):
            self.generic_visit(node)
            value = constant(node.test)
            return node if value is None else (node.body if value else node.orelse)

    return ast.fix_missing_locations(Pruner().visit(fdef))


def add_helper(func, label, helpers, recursive):
    """Add the module-level helper function ``func`` (and the helpers it calls) to ``helpers``
    ({generated name: source}), compiled beside the callback that calls it; return its name in
    the generated module. The name carries the function's module, so that helpers of the same
    name in two modules stay apart. Its own numeric module constants are inlined. A helper
    reached again while it is being translated is added to ``recursive``."""
    new_name = f"{func.__name__}_{zlib.crc32(f'{func.__module__}.{func.__qualname__}'.encode()):08x}"
    if new_name in helpers:
        if helpers[new_name] is None:
            recursive.add(new_name)
        return new_name
    helpers[new_name] = None  # being translated (a recursive helper calls itself by new_name)
    text, path, first = source_of(label, func.__name__, func)
    fdef = ast.parse(text).body[0]
    fdef.decorator_list = []
    fdef.name = new_name
    local = {a.arg for a in ast.walk(fdef) if isinstance(a, ast.arg)}
    local |= {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}

    class Globals(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id in ("randn", "rand") and node.func.id not in local:
                raise ParameterError(f"{label}: helper function {func.__name__} calls {node.func.id}(), which only "
                                     f"callbacks can; draw in the callback and pass the number "
                                     f"({path}, line {first + node.lineno - 1})")
            return node

        def visit_Name(self, node):
            if node.id in local or not isinstance(node.ctx, ast.Load):
                return node
            value = func.__globals__.get(node.id)
            if isinstance(value, numbers.Number):
                return ast.copy_location(ast.Constant(value=value), node)
            if isinstance(value, types.FunctionType):
                return ast.copy_location(ast.Name(id=add_helper(value, label, helpers, recursive), ctx=node.ctx),
                                         node)
            return node

    helpers[new_name] = ast.unparse(ast.fix_missing_locations(Globals().visit(fdef)))
    return new_name


def _line_map(fdef, source, first):
    """{line of the generated function (1 = def): line in the user's file}."""
    new = ast.parse(source).body[0]
    mapping = {}
    for a, b in zip(ast.walk(fdef), ast.walk(new)):
        if isinstance(a, ast.stmt) and hasattr(a, "lineno") and hasattr(b, "lineno"):
            mapping.setdefault(b.lineno, first + a.lineno - 1)
    return mapping


def user_location(message, functions):
    """One-line message for a numba compile error: the user's callback, file and line (from
    the generated lines the error cites) and numba's reason; ``functions`` is
    [(first generated line, Translation)] of the generated module. None if no user line."""
    cited = [int(m.group(1) or m.group(2)) for m in
             re.finditer(r'plastisim_kernel_\w+\.py(?:", line (\d+)| \((\d+)\))', message)]
    for line in cited:
        # the user function whose statements hold the line (a pasted body starts at offset body_line)
        inside = [(start, tr) for start, tr in functions
                  if tr.body_line <= line - start + 1 <= max(tr.lines, default=0)]
        if not inside:
            continue  # generated code
        start, tr = max(inside, key=lambda f: f[0])
        offset = line - start + 1
        user = tr.lines[max(o for o in tr.lines if o <= offset)]
        reasons = [x.strip() for x in message.split("\n") if x.strip()
                   and not x.startswith(("Failed in", "During", "File"))]
        return f"{tr.label} ({tr.where}, line {user}) cannot be compiled: {' '.join(reasons[:2]).replace('>>> ', '')}"
    return None
