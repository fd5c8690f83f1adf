"""Reading many short paths ("cac:PartyName/cbc:Name") from one lxml tree, several times faster than lxml's
ElementPath (`element.findtext(path, namespaces=NS)`).

ElementPath sorts the prefix map into a cache key on every call, runs the path as a chain of Python
generators that each start one of lxml's tag-filtered child iterators, and keeps only 100 compiled paths
(fewer than eForms and TED XML use together). A notice reads some seventy paths, most of them from the
same few elements, so most of the parse went there.

`Children` lists each element's children by tag the first time a path leaves that element, and answers
every later step from that list. The answers are ElementPath's: the elements each step reaches, in
document order; `find` is the first of them.
"""


class Children(dict):
    """element -> {tag: [child, …]} for one parse; a subclass says how a path's steps are written."""

    __slots__ = ()
    STEPS: dict[str, tuple[str, ...]]   # path -> its steps, as keys of the lists

    def step_keys(self, path: str) -> tuple[str, ...]:
        raise NotImplementedError

    def __missing__(self, element) -> dict:
        children: dict = {}
        for child in element:
            tag = child.tag
            if tag in children:
                children[tag].append(child)
            else:
                children[tag] = [child]
        self[element] = children
        return children

    def all(self, element, path: str) -> list:
        """`element.findall(path)`; [] for no element."""
        if element is None:
            return []
        steps = self.STEPS.get(path) or self.step_keys(path)
        found = self[element].get(steps[0], ())
        for step in steps[1:]:
            found = [child for parent in found for child in self[parent].get(step, ())]
        return list(found)

    def find(self, element, path: str):
        """`element.find(path)`: the first element the path reaches, or None (also for no element)."""
        if element is None:
            return None
        steps = self.STEPS.get(path) or self.step_keys(path)
        found = self[element].get(steps[0])
        for step in steps[1:]:
            if not found:
                return None
            if len(found) == 1:
                found = self[found[0]].get(step)
            else:
                found = [child for parent in found for child in self[parent].get(step, ())]
        return found[0] if found else None

    def text(self, element, path: str) -> str:
        """`element.findtext(path)`, stripped; "" when the path reaches nothing."""
        found = self.find(element, path)
        return (found.text or "").strip() if found is not None else ""


class ByTag(Children):
    """Steps with namespace prefixes ("cbc:ID"), read as Clark names ("{urn:…CommonBasicComponents-2}ID")."""

    __slots__ = ()
    NAMESPACES: dict[str, str]

    def step_keys(self, path: str) -> tuple[str, ...]:
        steps = self.STEPS[path] = tuple(f"{{{self.NAMESPACES[prefix]}}}{name}" for prefix, _, name in
                                         (step.partition(":") for step in path.split("/")))
        return steps


class ByLocalName(Children):
    """Steps `{*}name`: the name in any namespace, or in none, as lxml reads them."""

    __slots__ = ()

    def __missing__(self, element) -> dict:
        children: dict = {}
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                name = tag.rpartition("}")[2]
                if name in children:
                    children[name].append(child)
                else:
                    children[name] = [child]
        self[element] = children
        return children

    def step_keys(self, path: str) -> tuple[str, ...]:
        steps = self.STEPS[path] = tuple(step.removeprefix("{*}") for step in path.split("/"))
        return steps
