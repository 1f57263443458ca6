"""Every text the checker shows, in English and Russian.

The checker never builds sentences in its logic: it returns :class:`Message` objects (a
code and parameters) and the front end renders them in the reader's language.  Adding a
language is one more column here.

>>> Message("missing_path", {"path": "x → c → e → f", "factor": "2c"}).render("en")
'your answer misses the path x → c → e → f (factor 2c)'
>>> Message("missing_path", {"path": "x → c → e → f", "factor": "2c"}).render("ru")
'в вашем ответе не хватает пути x → c → e → f (множитель 2c)'
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Languages the catalog covers.
LANGUAGES = ("en", "ru")


@dataclass(frozen=True)
class Message:
    """A message code with its parameters; render it with :meth:`render`.

    Attributes
    ----------
    code : str
        A key of :data:`CATALOG` (``"missing_path"``).
    params : mapping
        Values for the placeholders (strings and numbers).

    >>> m = Message("factor_two", {"factor": "2"})
    >>> print(m.render())
    your answer is 2 times the correct one (a factor of 2)
    >>> print(m.render("ru"))
    ваш ответ в 2 раза отличается от правильного (множитель 2)
    >>> m.to_dict()["params"]
    {'factor': '2'}
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        """The message as text in ``lang`` (``"en"`` or ``"ru"``)."""
        return render(self, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """``{"code": ..., "params": ..., "text": ...}`` for JSON reports."""
        return {"code": self.code, "params": {k: _jsonable(v) for k, v in self.params.items()},
                "text": self.render(lang)}

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, str(v)) for k, v in self.params.items()))))


def _jsonable(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def render(message: Message, lang: str = "en") -> str:
    """Render ``message`` in ``lang``; unknown codes fall back to the code itself.

    >>> render(Message("tol_rel", {"value": 0.001}), "ru")
    'относительный допуск 0.001'
    >>> render(Message("custom", {"en": "Mind the sign", "ru": "Следите за знаком"}), "de")
    'Mind the sign'
    >>> render(Message("no_such_code", {"n": 1}))
    "no_such_code {'n': 1}"
    """
    if lang not in LANGUAGES:
        lang = "en"
    if message.code == "custom":  # a teacher's own text: {"en": ..., "ru": ...}
        return str(message.params.get(lang) or message.params.get("en") or "")
    entry = CATALOG.get(message.code)
    if entry is None:
        return message.code + (f" {dict(message.params)}" if message.params else "")
    template = entry.get(lang) or entry["en"]
    params = {k: _shown(v, lang) for k, v in message.params.items()}
    template = _PLURAL.sub(lambda m: _plural_form(m, message.params, lang), template)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


#: ``{count|path|paths}`` (English: one, other) or ``{count|путь|пути|путей}`` (Russian:
#: one, few, many): the word that goes with the number ``count``.
_PLURAL = re.compile(r"\{(\w+)((?:\|[^|{}]+)+)\}")


def plural_category(number: Any, lang: str) -> int:
    """Which form goes with ``number``: 0 (one), 1 (few, or English "other"), 2 (many).

    Russian: 1, 21, 101 -> 0 (путь); 2-4, 22-24 -> 1 (пути); 0, 5-20, 25 -> 2 (путей);
    a fraction takes the "few" form (2,5 балла).

    >>> [plural_category(n, "ru") for n in (1, 2, 5, 11, 21, 22, 25, 112, 2.5)]
    [0, 1, 2, 2, 0, 1, 2, 2, 1]
    >>> [plural_category(n, "en") for n in (1, 2, 0)]
    [0, 1, 1]
    """
    try:
        value = float(number)
    except (TypeError, ValueError):
        return 1
    if lang != "ru":
        return 0 if value == 1 else 1
    if not value.is_integer():
        return 1
    n = abs(int(value))
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def template_fields(template: str) -> set[str]:
    """The parameters a catalogue template uses, in its fields and its plural choices.

    >>> sorted(template_fields("все {count} {count|путь|пути|путей} из {total}"))
    ['count', 'total']
    """
    plain = _PLURAL.sub(lambda m: "{" + m.group(1) + "}", template)
    return {name for _, name, _, _ in string.Formatter().parse(plain) if name}


def _plural_form(match: re.Match[str], params: Mapping[str, Any], lang: str) -> str:
    forms = match.group(2).split("|")[1:]
    if match.group(1) not in params:
        return forms[-1]
    category = plural_category(params[match.group(1)], lang)
    return forms[min(category, len(forms) - 1)]


def _shown(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(_shown(v, lang)) for v in value)
    return value


#: Unicode categories that cannot be shown as themselves: surrogates, format characters
#: (zero-width space, direction overrides), line and paragraph separators, private use,
#: unassigned, and control characters other than newline and tab.
_INVISIBLE = frozenset({"Cs", "Cf", "Zl", "Zp", "Co", "Cn", "Cc"})


def visible(text: str, *, keep_width: bool = False) -> str:
    """``text`` with every character that cannot be shown replaced: by ``U+XXXX``, or
    by ``�`` with ``keep_width`` (a caret excerpt must stay aligned).

    A lone surrogate cannot even be written to a UTF-8 terminal; an invisible character
    would make a message quote an answer that looks different from what it is.

    >>> visible("x\\u200b+1"), visible("x\\ud800", keep_width=True), visible("a\\tb")
    ('xU+200B+1', 'x�', 'a\\tb')
    """
    out = []
    for ch in text:
        if ch in "\n\t" or unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        else:
            out.append("\ufffd" if keep_width else f"U+{ord(ch):04X}")
    return "".join(out)


def text(code: str, lang: str = "en", **params: Any) -> str:
    """Shortcut: ``text("verdict_correct", "ru")``.

    >>> text("verdict_correct", "ru"), text("order_equal", order=2)
    ('верно', 'order 2')
    """
    return render(Message(code, params), lang)


#: code -> {language: template}.  Templates use ``str.format`` placeholders.
CATALOG: dict[str, dict[str, str]] = {
    # --- verdicts ---------------------------------------------------------------------
    "verdict_correct": {"en": "correct", "ru": "верно"},
    "verdict_incorrect": {"en": "incorrect", "ru": "неверно"},
    "verdict_invalid": {"en": "invalid (not graded)", "ru": "не удалось прочитать (не оценено)"},
    "verdict_undecided": {"en": "undecided (needs a human)",
                          "ru": "не решено (нужна проверка преподавателем)"},
    "verdict_missing": {"en": "no answer", "ru": "нет ответа"},
    "verdict_error": {"en": "error", "ru": "ошибка"},
    # --- reasons for a verdict --------------------------------------------------------
    "equivalent": {
        "en": "equal to the correct answer at {points} random points (checked to {digits} "
              "digits)",
        "ru": "совпадает с правильным ответом в {points} {points|случайной точке|случайных "
              "точках|случайных точках} (проверено до {digits} {digits|знака|знаков|знаков})",
    },
    "proved_equal": {
        "en": "equal to the correct answer (proved symbolically: {how})",
        "ru": "совпадает с правильным ответом (доказано символьно: {how})",
    },
    "differs_at": {
        "en": "at {point} the correct value is {expected}, your answer gives {got}",
        "ru": "в точке {point} правильное значение {expected}, а ваш ответ даёт {got}",
    },
    "undefined_at": {
        "en": "your answer is undefined at {point}, where the correct answer is defined "
              "({expected})",
        "ru": "ваш ответ не определён в точке {point}, где правильный ответ определён "
              "({expected})",
    },
    "proved_different": {
        "en": "your answer differs from the correct one by {difference}",
        "ru": "ваш ответ отличается от правильного на {difference}",
    },
    "undecided_reason": {
        "en": "the automatic check could not decide ({why}); a teacher will look at it",
        "ru": "автоматическая проверка не смогла решить ({why}); ответ посмотрит преподаватель",
    },
    "why_few_points": {"en": "too few points where the correct answer is defined",
                       "ru": "слишком мало точек, где определён правильный ответ"},
    "why_timeout": {"en": "the symbolic proof timed out", "ru": "символьное доказательство не "
                    "уложилось во время"},
    "why_unknown": {"en": "neither the numbers nor the algebra were conclusive",
                    "ru": "ни вычисления, ни преобразования не дали ответа"},
    "why_no_proof": {"en": "the symbolic proof is switched off",
                     "ru": "символьное доказательство отключено"},
    "number_equal": {
        "en": "{got} agrees with the correct value {expected} ({tolerance})",
        "ru": "{got} совпадает с правильным значением {expected} ({tolerance})",
    },
    "number_differs": {
        "en": "the correct value is {expected}; {got} is outside the tolerance ({tolerance})",
        "ru": "правильное значение {expected}; {got} вне допуска ({tolerance})",
    },
    "number_few_digits": {
        "en": "give at least {digits} significant digits (you gave {given})",
        "ru": "укажите не меньше {digits} значащих цифр (у вас {given})",
    },
    "tol_rel": {"en": "relative tolerance {value}", "ru": "относительный допуск {value}"},
    "tol_abs": {"en": "absolute tolerance {value}", "ru": "абсолютный допуск {value}"},
    "tol_sig": {"en": "{value} significant {value|digit|digits}",
                "ru": "{value} {value|значащая цифра|значащие цифры|значащих цифр}"},
    "tol_digits": {"en": "rounded or truncated to the digits you wrote",
                   "ru": "с округлением или отбрасыванием до записанных цифр"},
    "tol_exact": {"en": "exact", "ru": "точно"},
    "no_answer": {"en": "no answer was given for this part",
                  "ru": "на этот пункт нет ответа"},
    "paths_equal": {"en": "all {count} {count|path|paths}, none extra",
                    "ru": "все {count} {count|путь|пути|путей}, лишних нет"},
    "paths_differ": {"en": "the list of paths is not right", "ru": "список путей неверен"},
    "order_equal": {"en": "order {order}", "ru": "порядок {order}"},
    "order_differs": {"en": "the order is not {got}", "ru": "порядок не равен {got}"},
    "overflows_at": {
        "en": "your answer is too large to compute (it overflows) at {point}, where the "
              "correct answer is finite ({expected})",
        "ru": "ваш ответ слишком велик для вычисления (переполнение) в точке {point}, где "
              "правильный ответ конечен ({expected})",
    },
    # --- feedback on a wrong answer ---------------------------------------------------
    "missing_path": {
        "en": "your answer misses the path {path} (factor {factor})",
        "ru": "в вашем ответе не хватает пути {path} (множитель {factor})",
    },
    "double_path": {
        "en": "your answer counts the path {path} (factor {factor}) twice",
        "ru": "в вашем ответе путь {path} (множитель {factor}) учтён дважды",
    },
    "negated_path": {
        "en": "the path {path} (factor {factor}) has the wrong sign in your answer",
        "ru": "у пути {path} (множитель {factor}) в вашем ответе неверный знак",
    },
    "halved_path": {
        "en": "your answer has half of the path {path}: its factor is {factor}",
        "ru": "в вашем ответе только половина пути {path}: его множитель {factor}",
    },
    "foreign_path": {
        "en": "your answer includes the path {path} (factor {factor}), which starts at "
              "{start}, not at {wrt}",
        "ru": "в ваш ответ попал путь {path} (множитель {factor}), который начинается в "
              "{start}, а не в {wrt}",
    },
    "sign_error": {
        "en": "sign error: your answer is the negative of the correct one",
        "ru": "ошибка в знаке: ваш ответ равен правильному со знаком минус",
    },
    "factor_two": {
        "en": "your answer is {factor} times the correct one (a factor of 2)",
        "ru": "ваш ответ в {factor} {factor|раз|раза|раз} отличается от правильного "
              "(множитель 2)",
    },
    "constant_factor": {
        "en": "your answer is the correct one times {factor}",
        "ru": "ваш ответ равен правильному, умноженному на {factor}",
    },
    "constant_offset": {
        "en": "your answer differs from the correct one by the constant {offset}",
        "ru": "ваш ответ отличается от правильного на константу {offset}",
    },
    "wrong_variable": {
        "en": "this is the derivative with respect to {other}, not {wrt}",
        "ru": "это производная по {other}, а не по {wrt}",
    },
    "dropped_factor": {
        "en": "a chain-rule factor is missing: ∂{target}/∂{source} = {factor} on the edge "
              "{source} → {target}",
        "ru": "не хватает множителя цепного правила: ∂{target}/∂{source} = {factor} на "
              "ребре {source} → {target}",
    },
    "not_differentiated": {
        "en": "this is the function itself, not its derivative",
        "ru": "это сама функция, а не её производная",
    },
    "value_of_other": {
        "en": "this is the value of the derivative with respect to {other}, not {wrt}",
        "ru": "это значение производной по {other}, а не по {wrt}",
    },
    "path_no_edge": {
        "en": "there is no edge {source} → {target} in the graph",
        "ru": "в графе нет ребра {source} → {target}",
    },
    "path_wrong_ends": {
        "en": "the path {path} must start at {wrt} and end at {output}",
        "ru": "путь {path} должен начинаться в {wrt} и заканчиваться в {output}",
    },
    "path_missing": {"en": "missing path: {path}", "ru": "не хватает пути: {path}"},
    "path_extra": {"en": "not a path from {wrt} to {output}: {path}",
                   "ru": "это не путь из {wrt} в {output}: {path}"},
    "path_duplicate": {"en": "the path {path} is listed twice",
                       "ru": "путь {path} указан дважды"},
    "hint_mse_sign": {
        "en": "for L = ½(y − ŷ)², ∂L/∂ŷ = ŷ − y, not y − ŷ",
        "ru": "для L = ½(y − ŷ)² производная ∂L/∂ŷ = ŷ − y, а не y − ŷ",
    },
    # --- how the answer was read --------------------------------------------------------
    "read_after_equals": {
        "en": "only the part after the last '=' was graded",
        "ru": "проверялась только часть после последнего «=»",
    },
    "implicit_division": {
        "en": "'{text}' was read as {reading}; write {alternative} if you meant that",
        "ru": "«{text}» прочитано как {reading}; если вы имели в виду {alternative}, так и "
              "напишите",
    },
    "power_juxtaposition": {
        "en": "'{text}' was read as {reading}; write {alternative} if you meant that",
        "ru": "«{text}» прочитано как {reading}; если вы имели в виду {alternative}, так и "
              "напишите",
    },
    "function_without_parentheses": {
        "en": "'{text}' was read as {reading}; use parentheses to be sure",
        "ru": "«{text}» прочитано как {reading}; лучше ставить скобки",
    },
    "function_paren_after_bare": {
        "en": "'{text}' was read as {reading}; use parentheses to be sure",
        "ru": "«{text}» прочитано как {reading}; лучше ставить скобки",
    },
    "split_name": {
        "en": "'{name}' was read as {reading}",
        "ru": "«{name}» прочитано как {reading}",
    },
    "function_word": {
        "en": "'{name}' was read as the function {function}",
        "ru": "«{name}» прочитано как функция {function}",
    },
    "decimal_comma": {
        "en": "'{text}' was read as the number {reading}",
        "ru": "«{text}» прочитано как число {reading}",
    },
    "scientific_number": {
        "en": "'{text}' was read as the number {reading} (scientific notation)",
        "ru": "«{text}» прочитано как число {reading} (экспоненциальная запись)",
    },
    "cyrillic_letter": {
        "en": "the Cyrillic letter '{letter}' was read as the Latin '{latin}'",
        "ru": "кириллическая буква «{letter}» прочитана как латинская «{latin}»",
    },
    "euler_number": {
        "en": "'e' was read as Euler's number e ≈ 2.718",
        "ru": "«e» прочитано как число Эйлера e ≈ 2.718",
    },
    "derivative_notation": {
        "en": "{function}'({argument}) was read as {reading}",
        "ru": "{function}'({argument}) прочитано как {reading}",
    },
    "real_odd_root": {
        "en": "'{text}' was read as a real odd root, {reading} (also for negative numbers)",
        "ru": "«{text}» прочитано как вещественный корень нечётной степени, {reading} "
              "(и для отрицательных чисел)",
    },
    "two_numbers": {
        "en": "'{text}' was read as the product {reading}",
        "ru": "«{text}» прочитано как произведение {reading}",
    },
    # --- invalid answers -----------------------------------------------------------------
    "invalid_at": {
        "en": "line {line}, column {column}: {reason}",
        "ru": "строка {line}, столбец {column}: {reason}",
    },
    "not_text": {"en": "the answer must be text, not {type}",
                 "ru": "ответ должен быть текстом, а не {type}"},
    "empty_answer": {"en": "the answer is empty", "ru": "ответ пустой"},
    "too_long": {
        "en": "the answer is {length} characters long, over the limit of {limit}",
        "ru": "ответ длиной {length} {length|символ|символа|символов}, а допускается не "
              "больше {limit}",
    },
    "too_deep": {
        "en": "brackets and functions nested deeper than {limit} {limit|level|levels}",
        "ru": "скобки и функции вложены глубже {limit} {limit|уровня|уровней|уровней}",
    },
    "control_character": {"en": "control character {char} in the answer",
                          "ru": "управляющий символ {char} в ответе"},
    "answer_not_built": {
        "en": "the checker could not build this formula; write it another way, or ask your "
              "teacher",
        "ru": "проверка не смогла построить эту формулу; запишите её иначе или обратитесь к "
              "преподавателю"},
    "matrix_function_in_number": {
        "en": "{name} is a function of matrices, but the answers of this problem are numbers",
        "ru": "{name} — функция от матриц, а ответы этой задачи — числа"},
    "matrix_sign_in_number": {
        "en": "'{sign}' is an operation of matrices, but the answers of this problem are "
              "numbers",
        "ru": "«{sign}» — операция над матрицами, а ответы этой задачи — числа"},
    "unexpected_character": {"en": "unexpected character '{char}'",
                             "ru": "неожиданный символ «{char}»"},
    "number_too_long": {"en": "a number with {digits} digits (at most {limit})",
                        "ru": "число из {digits} {digits|цифры|цифр|цифр} (допускается не "
                              "больше {limit})"},
    "constant_too_large": {
        "en": "the constant '{text}' is too large to be an answer",
        "ru": "константа «{text}» слишком велика для ответа",
    },
    "factorial": {"en": "factorials (!) are not supported",
                  "ru": "факториалы (!) не поддерживаются"},
    "unknown_name": {
        "en": "unknown name '{name}'; the names you may use are {known}",
        "ru": "неизвестное имя «{name}»; можно использовать {known}",
    },
    "unknown_function": {
        "en": "'{name}' is not a function the checker knows; use one of {known}",
        "ru": "«{name}» — неизвестная функция; используйте одну из {known}",
    },
    "unsupported_function": {
        "en": "the function {name} is not supported",
        "ru": "функция {name} не поддерживается",
    },
    "inverse_function": {
        "en": "{name}^(-1) (an inverse function) is not supported; write 1/{name}(x) for "
              "the reciprocal",
        "ru": "{name}^(-1) (обратная функция) не поддерживается; для 1/{name}(x) так и "
              "напишите",
    },
    "no_derivative_notation": {
        "en": "{name}' is not supported; write the derivative out",
        "ru": "{name}' не поддерживается; запишите производную явно",
    },
    "latex_refused": {
        "en": "the LaTeX command \\{command} is refused (answers are formulas; no LaTeX "
              "command is ever run)",
        "ru": "команда LaTeX \\{command} запрещена (ответ — это формула; команды LaTeX не "
              "выполняются)",
    },
    "latex_unknown": {
        "en": "unknown LaTeX command \\{command}",
        "ru": "неизвестная команда LaTeX \\{command}",
    },
    "latex_unsupported": {
        "en": "\\{command} is not supported in answers",
        "ru": "\\{command} не поддерживается в ответах",
    },
    "expected_operand": {
        "en": "expected a number, a name, a function or '(' here",
        "ru": "здесь ожидалось число, имя, функция или «(»",
    },
    "expected_closing": {"en": "'{opening}' is never closed; expected '{closing}'",
                         "ru": "«{opening}» не закрыта; ожидалась «{closing}»"},
    "unmatched_closing": {"en": "'{closing}' has no matching opening bracket",
                          "ru": "у «{closing}» нет парной открывающей скобки"},
    "unexpected_token": {"en": "unexpected '{text}'", "ru": "неожиданное «{text}»"},
    "wrong_arity": {
        "en": "{name} takes {expected} argument(s), got {got}",
        "ru": "{name} принимает аргументов: {expected}, а дано {got}",
    },
    "expected_group": {"en": "expected {{...}} after \\{command}",
                       "ru": "после \\{command} ожидалось {{...}}"},
    "misplaced_equals": {"en": "misplaced '='", "ru": "лишний знак «=»"},
    "keyword_as_name": {"en": "'{name}' is a Python keyword, not a name",
                        "ru": "«{name}» — ключевое слово Python, а не имя"},
    "notation_error": {"en": "{reason}", "ru": "{reason}"},
    "derivative_symbol": {
        "en": "write the derivative's formula, not the symbol '{symbol}'",
        "ru": "запишите формулу производной, а не символ «{symbol}»",
    },
    "core_error": {"en": "{reason}", "ru": "{reason}"},
    "exponent_too_large": {"en": "the exponent {exponent} is too large (at most {limit})",
                           "ru": "показатель степени {exponent} слишком велик (не больше "
                                 "{limit})"},
    "constant_domain": {"en": "{reason}",
                        "ru": "выражение {expression} не имеет действительного значения"},
    "expression_too_large": {"en": "the expression is too large",
                             "ru": "выражение слишком большое"},
    "not_a_number": {"en": "expected a number, got an expression in {names}",
                     "ru": "ожидалось число, а в выражении есть {names}"},
    "bad_path": {"en": "cannot read '{text}' as a path such as x -> a -> f",
                 "ru": "не удалось прочитать «{text}» как путь вида x -> a -> f"},
    "unknown_node": {"en": "there is no node '{name}' in the graph; the nodes are {known}",
                     "ru": "в графе нет вершины «{name}»; вершины: {known}"},
    "bad_order": {"en": "expected an order such as 2, h^2 or O(h^2)",
                  "ru": "ожидался порядок вида 2, h^2 или O(h^2)"},
    # --- errors of the core parser (the codes of graphdiff.errors.CODES not above) --------
    "error": {"en": "{reason}", "ru": "ошибка: {reason}"},
    "syntax_error": {"en": "{reason}", "ru": "синтаксическая ошибка ({reason})"},
    "limit": {"en": "{reason}", "ru": "превышено ограничение ({reason})"},
    "domain": {"en": "{reason}", "ru": "{expression}: значение вне области определения"},
    "shape": {"en": "{reason}", "ru": "размеры не согласованы ({reason})"},
    "trace": {"en": "{reason}", "ru": "функцию не удалось трассировать ({reason})"},
    "shape_declaration": {"en": "'{text}' is not a shape declaration such as X: 2x3 (before "
                                "the first assignment, once per name)",
                          "ru": "«{text}» — не объявление размеров вида X: 2x3 (до первого "
                                "присваивания, по одному на имя)"},
    "shape_too_large": {"en": "the shape {shape} is too large ({limit})",
                        "ru": "размеры {shape} слишком велики ({limit})"},
    "declared_not_input": {"en": "{name} is declared with a shape but is not an input",
                           "ru": "для {name} объявлены размеры, но это не входная переменная"},
    "empty": {"en": "the text is empty", "ru": "текст пустой"},
    "too_complex": {
        "en": "the expression is nested or chained too deeply to read; split it into "
              "several lines name = expression",
        "ru": "выражение слишком глубоко вложено, чтобы его прочитать; разбейте его на "
              "несколько строк имя = выражение",
    },
    "too_many_nodes": {"en": "the expression has more than {limit} parts",
                       "ru": "в выражении больше {limit} {limit|части|частей|частей}"},
    "too_many_lines": {"en": "{count} lines, over the limit of {limit}",
                       "ru": "строк: {count}, а допускается не больше {limit}"},
    "mismatched_brackets": {"en": "'{closing}' does not match '{opening}'",
                            "ru": "«{closing}» не соответствует «{opening}»"},
    "ends_early": {"en": "the expression ends too early",
                   "ru": "выражение обрывается раньше времени"},
    "misplaced_operator": {"en": "'{text}' cannot stand here: a number, a name or '(' is "
                           "expected", "ru": "«{text}» не может стоять здесь: ожидалось число, "
                           "имя или «(»"},
    "missing_operator": {"en": "two operands in a row; put an operator such as * between them",
                         "ru": "два операнда подряд; поставьте между ними знак, например *"},
    "number_too_large": {"en": "the number {text} is too large (at most about 1.8e308)",
                         "ru": "число {text} слишком велико (допускается примерно до 1.8e308)"},
    "number_too_small": {
        "en": "the number {text} is too close to zero to compute with (write 0, or a number "
              "above 5e-324)",
        "ru": "число {text} слишком близко к нулю для вычислений (напишите 0 или число больше "
              "5e-324)",
    },
    "constant_power_too_large": {
        "en": "a constant power with more than {limit} digits",
        "ru": "степень константы, в которой больше {limit} {limit|цифры|цифр|цифр}",
    },
    "non_numeric_constant": {"en": "{text} is not a number", "ru": "{text} — не число"},
    "private_name": {"en": "the name '{name}' is not allowed (it starts with '_')",
                     "ru": "имя «{name}» не допускается (оно начинается с «_»)"},
    "reserved_name": {"en": "'{name}' is a function or a constant and cannot be assigned",
                      "ru": "«{name}» — функция или константа, ей нельзя присвоить значение"},
    "function_as_value": {"en": "'{name}' is a function: write {name}(x)",
                          "ru": "«{name}» — функция: пишите {name}(x)"},
    "call_not_name": {"en": "only functions can be called, by their names",
                      "ru": "вызывать можно только функции, по их именам"},
    "attribute": {"en": "attribute access (.{name}) is not allowed",
                  "ru": "обращение к атрибуту (.{name}) не допускается"},
    "keyword_argument": {"en": "{name}(...) takes no keyword arguments",
                         "ru": "у {name}(...) нет именованных аргументов"},
    "starred_argument": {"en": "starred arguments are not allowed",
                         "ru": "аргументы со звёздочкой не допускаются"},
    "unsupported_operator": {"en": "the operator {symbol} is not supported; use + - * / ^",
                             "ru": "операция {symbol} не поддерживается; используйте + - * / ^"},
    "not_allowed": {"en": "{construct} is not allowed: '{text}'",
                    "ru": "«{text}» не допускается в формуле"},
    "statement_not_allowed": {
        "en": "'{statement}' is not allowed; write expressions, or lines name = expression",
        "ru": "«{statement}» не допускается; пишите выражения или строки имя = выражение",
    },
    "multiple_assignment": {"en": "assign one name per line: name = expression",
                            "ru": "присваивайте по одному имени в строке: имя = выражение"},
    "unused_expression": {
        "en": "an expression that is not the last line is unused; assign it: name = ...",
        "ru": "выражение не в последней строке не используется; присвойте его: имя = ...",
    },
    "assigned_twice": {"en": "'{name}' is assigned twice (lines {first} and {second})",
                       "ru": "«{name}» присваивается дважды (строки {first} и {second})"},
    "assigned_after_use": {
        "en": "'{name}' is used as an input on line {line} before it is assigned",
        "ru": "«{name}» используется как входная переменная в строке {line} до присваивания",
    },
    "unknown_output": {"en": "the output '{name}' is not assigned in the program",
                       "ru": "выход «{name}» в программе не присваивается"},
    # --- matrices: reading them ----------------------------------------------------------
    "shape_number": {"en": "a number", "ru": "число"},
    "shape_vector": {"en": "a vector of {size} numbers", "ru": "вектор из {size} чисел"},
    "entrywise_shapes": {
        "en": "'{text}': an entrywise operation on {left} and {right}, whose shapes differ "
              "(for the matrix product write @ or ·)",
        "ru": "«{text}»: поэлементная операция над {left} и {right}, а их размеры разные "
              "(матричное произведение пишется через @ или ·)"},
    "matmul_shapes": {
        "en": "'{text}': the matrix product of {left} and {right} does not exist (the columns "
              "of the left factor must be as many as the rows of the right one)",
        "ru": "«{text}»: матричного произведения {left} на {right} не существует (число "
              "столбцов левого множителя должно равняться числу строк правого)"},
    "product_shapes": {
        "en": "'{text}': {left} times {right} is neither a matrix product (the inner sizes "
              "differ) nor an entrywise one (the shapes differ)",
        "ru": "«{text}»: {left} на {right} — ни матричное произведение (внутренние размеры "
              "разные), ни поэлементное (размеры матриц разные)"},
    "ambiguous_product": {
        "en": "'{text}' was read as the matrix product {reading} (both are {shape}); write "
              "{alternative} for the entrywise product",
        "ru": "«{text}» прочитано как матричное произведение {reading} (обе матрицы "
              "{shape}); для поэлементного произведения пишите {alternative}"},
    "matrix_power": {
        "en": "'{text}' is the entrywise power of the matrix {base}; for the matrix product "
              "write {base} @ {base}",
        "ru": "«{text}» — поэлементная степень матрицы {base}; матричное произведение "
              "пишется {base} @ {base}"},
    "static_argument": {"en": "the axis of {name}(...) must be a whole number, such as 0",
                        "ru": "ось в {name}(...) должна быть целым числом, например 0"},
    "function_shapes": {"en": "'{text}': {name} does not take {shapes}",
                        "ru": "«{text}»: {name} не применяется к {shapes}"},
    "matrix_environment": {
        "en": "only the matrix environments {known} are read, not {name}",
        "ru": "читаются только окружения матриц {known}, а не {name}"},
    "matrix_expected": {"en": "a matrix is expected here: [[1, 2], [3, 4]] or "
                              "\\begin{{pmatrix}} ... \\end{{pmatrix}}",
                        "ru": "здесь ожидается матрица: [[1, 2], [3, 4]] или "
                              "\\begin{{pmatrix}} ... \\end{{pmatrix}}"},
    "matrix_text_after": {"en": "nothing may follow the matrix here (a transpose ^T at most)",
                          "ru": "после матрицы здесь ничего не должно быть (разве что ^T)"},
    "matrix_unclosed": {"en": "\\begin{{{name}}} is not closed by \\end{{{name}}}",
                        "ru": "\\begin{{{name}}} не закрыто \\end{{{name}}}"},
    "matrix_empty": {"en": "the matrix has no entries", "ru": "в матрице нет элементов"},
    "matrix_empty_entry": {"en": "an entry is missing here", "ru": "здесь пропущен элемент"},
    "matrix_entry_too_long": {"en": "an entry longer than {limit} characters",
                              "ru": "элемент длиннее {limit} символов"},
    "matrix_too_large": {
        "en": "the matrix is too large (at most {rows} rows, {columns} columns, {entries} "
              "entries)",
        "ru": "матрица слишком велика (не больше {rows} строк, {columns} столбцов, {entries} "
              "элементов)"},
    "matrix_ragged": {"en": "row {row} has {got} entries, row 1 has {expected}",
                      "ru": "в строке {row} элементов {got}, а в строке 1 — {expected}"},
    "matrix_mixed": {"en": "write every row as a list: [[1, 2], [3, 4]]",
                     "ru": "каждую строку пишите списком: [[1, 2], [3, 4]]"},
    "matrix_nested": {"en": "a list three levels deep: only vectors and matrices are read",
                      "ru": "список глубиной в три уровня: читаются только векторы и матрицы"},
    "matrix_semicolon": {
        "en": "separate entries with commas and write rows as lists: [[0.5, 1], [2, 3]] "
              "(decimals with a point)",
        "ru": "разделяйте элементы запятыми, а строки пишите списками: [[0.5, 1], [2, 3]] "
              "(дробную часть — через точку)"},
    "matrix_decimal_comma": {
        "en": "commas separate the entries of a matrix: write decimals with a point (0.5)",
        "ru": "запятые разделяют элементы матрицы: дробную часть пишите через точку (0.5)"},
    # --- matrices: verdicts and feedback -------------------------------------------------
    "matrix_equal": {"en": "all {count} entries are correct",
                     "ru": "все элементы ({count}) верны"},
    "matrix_shape_differs": {"en": "your answer is {got}, {what} is {expected}",
                             "ru": "ваш ответ — {got}, а {what} — {expected}"},
    "matrix_transposed": {"en": "this is the transpose of the expected matrix",
                          "ru": "это транспонированная правильная матрица"},
    "matrix_entries_differ": {"en": "{count} of {total} entries are wrong: {entries}",
                              "ru": "неверных элементов: {count} из {total}: {entries}"},
    "matrix_entry_differs": {"en": "entry {entry}: the correct value is {expected}, yours is "
                                   "{got}",
                             "ru": "элемент {entry}: правильное значение {expected}, у вас "
                                   "{got}"},
    "matrix_few_digits": {"en": "entries {entries}: give at least {digits} significant digits",
                          "ru": "элементы {entries}: дайте хотя бы {digits} значащие цифры"},
    "matrix_vector_read": {"en": "the list of numbers was read as the {shape} matrix asked for",
                           "ru": "список чисел прочитан как нужная матрица {shape}"},
    "what_correct": {"en": "the correct matrix", "ru": "правильная матрица"},
    "matrix_other_part": {"en": "this is the answer to part {part}",
                          "ru": "это ответ на пункт {part}"},
    "matrix_factor_order": {
        "en": "the factors of the matrix product are in the wrong order: write {swapped}, "
              "not {written}",
        "ru": "множители матричного произведения стоят не в том порядке: нужно {swapped}, "
              "а не {written}"},
    "matrix_transpose_extra": {"en": "a transpose too many: write {meant}, not {written}",
                               "ru": "лишнее транспонирование: нужно {meant}, а не {written}"},
    "matrix_transpose_missing": {
        "en": "a transpose is missing: write {meant}, not {written}",
        "ru": "не хватает транспонирования: нужно {meant}, а не {written}"},
    "matrix_other_gradient": {"en": "this is the gradient of {other}",
                              "ru": "это градиент по {other}"},
    "matrix_not_differentiated": {"en": "this is {name} itself, not its gradient",
                                  "ru": "это сама {name}, а не градиент по ней"},
    "matrix_formula_equal": {
        "en": "equal to the correct matrix, entry by entry, at {points} random points (checked "
              "to {digits} digits)",
        "ru": "совпадает с правильной матрицей поэлементно в {points} случайных точках "
              "(проверено до {digits} знаков)"},
    "matrix_formula_equal_floats": {
        "en": "equal to the correct matrix, entry by entry, at {points} random points (in "
              "floating point)",
        "ru": "совпадает с правильной матрицей поэлементно в {points} случайных точках (в "
              "арифметике с плавающей точкой)"},
    "matrix_differs_at": {
        "en": "at {point} entry {entry} of the correct matrix is {expected}, your answer gives "
              "{got}",
        "ru": "при {point} элемент {entry} правильной матрицы равен {expected}, а ваш ответ "
              "даёт {got}"},
    "matrix_undefined_at": {
        "en": "at {point} your answer is not defined (or too large), while entry {entry} of "
              "the correct matrix is {expected}",
        "ru": "при {point} ваш ответ не определён (или слишком велик), а элемент {entry} "
              "правильной матрицы равен {expected}"},
    "why_matrix_time": {
        "en": "the check at high precision ran out of time, and matrices have no symbolic "
              "proof",
        "ru": "проверке с высокой точностью не хватило времени, а символьного доказательства "
              "для матриц нет"},
    "why_matrix_unresolved": {
        "en": "the numbers could not tell the difference from rounding at some points, and "
              "matrices have no symbolic proof",
        "ru": "в некоторых точках числа не смогли отличить разницу от ошибок округления, а "
              "символьного доказательства для матриц нет"},
    "matrix_decimals": {
        "en": "decimals in a matrix formula are exact: write fractions (1/3, not 0.333)",
        "ru": "десятичные дроби в матричной формуле точные: пишите обыкновенные дроби (1/3, "
              "а не 0.333)"},
    "what_value": {"en": "{name}", "ru": "{name}"},
    "what_gradient": {"en": "the gradient of {name}", "ru": "градиент по {name}"},
    "what_adjoint": {"en": "the gradient of the node {name}",
                     "ru": "градиент по узлу {name}"},
    # --- reports and files ---------------------------------------------------------------
    "report_title": {"en": "Problem {id}: {title}", "ru": "Задача {id}: {title}"},
    "report_part": {"en": "part {id} ({ask})", "ru": "пункт {id} ({ask})"},
    "report_verdict": {"en": "verdict", "ru": "вердикт"},
    "report_part_column": {"en": "part", "ru": "пункт"},
    "report_answer_column": {"en": "answer", "ru": "ответ"},
    "report_points": {"en": "points", "ru": "баллы"},
    "report_read_as": {"en": "read as", "ru": "прочитано как"},
    "report_reason": {"en": "why", "ru": "почему"},
    "report_feedback": {"en": "feedback", "ru": "подсказка"},
    "report_note": {"en": "note", "ru": "замечание"},
    "report_total": {"en": "total: {score} of {max_score} {max_score|point|points}; {passed} "
                     "of {parts} {parts|part|parts} correct",
                     "ru": "итого: {score} из {max_score} {max_score|балла|баллов|баллов}; "
                     "верно {passed} из {parts} {parts|пункта|пунктов|пунктов}"},
    "report_all_passed": {"en": "all parts correct", "ru": "все пункты верны"},
    "report_unknown_key": {"en": "the answers file has '{key}', which is not a part of this "
                           "problem (parts: {parts})",
                           "ru": "в файле ответов есть «{key}», но такого пункта нет "
                           "(пункты: {parts})"},
    "file_error": {"en": "cannot read {file}: {reason}", "ru": "не удалось прочитать {file}: "
                   "{reason}"},
    "file_too_large": {"en": "the file is {size} bytes, over the limit of {limit}",
                       "ru": "файл размером {size} {size|байт|байта|байт}, а допускается не "
                             "больше {limit}"},
    "grading_timeout": {"en": "grading took longer than {seconds} s",
                        "ru": "проверка заняла больше {seconds} с"},
    "internal_error": {"en": "internal error while grading: {error}",
                       "ru": "внутренняя ошибка при проверке: {error}"},
    "selftest_reference": {"en": "reference answer of {part}", "ru": "эталонный ответ пункта "
                           "{part}"},
    "selftest_mistake": {"en": "mistake '{answer}' in {part}", "ru": "ошибка «{answer}» в пункте "
                         "{part}"},
    "grading_killed": {"en": "grading took longer than {seconds} s and was stopped from outside",
                       "ru": "проверка заняла больше {seconds} с и была остановлена извне"},
    "worker_died": {"en": "the grading process crashed twice on this file ({how})",
                    "ru": "процесс проверки дважды аварийно завершился на этом файле ({how})"},
    "duplicate_student": {"en": "the student id '{student}' is also used by {files}",
                          "ru": "имя студента «{student}» есть также в {files}"},
    "intake_hidden": {"en": "a hidden entry (the name starts with '.')",
                      "ru": "скрытый элемент (имя начинается с «.»)"},
    "intake_folder": {"en": "a folder: only files directly in the submissions folder are graded",
                      "ru": "папка: проверяются только файлы непосредственно в папке с работами"},
    "intake_not_regular": {"en": "not a regular file ({kind}): never opened",
                           "ru": "не обычный файл ({kind}): не открывался"},
    "intake_not_toml": {"en": "not an answers file (the name does not end in .toml)",
                        "ru": "не файл ответов (имя не оканчивается на .toml)"},
    "intake_bad_name": {"en": "the file name is not valid UTF-8",
                        "ru": "имя файла не в кодировке UTF-8"},
    "intake_unreadable": {"en": "cannot look at this entry: {reason}",
                          "ru": "не удалось посмотреть этот элемент: {reason}"},
    "intake_hard_link": {"en": "the same file as {other} (a hard link): graded once, as {other}",
                         "ru": "тот же файл, что {other} (жёсткая ссылка): проверен один раз, "
                               "как {other}"},
    "intake_link_dangling": {"en": "a symbolic link to nothing (dangling)",
                             "ru": "символьная ссылка в никуда (битая)"},
    "intake_link_outside": {"en": "a symbolic link to outside the submissions folder: refused",
                            "ru": "символьная ссылка за пределы папки с работами: отклонена"},
    "intake_link_inside": {"en": "a symbolic link to {target} in this folder: not graded again "
                                 "(links are never followed)",
                           "ru": "символьная ссылка на {target} в этой папке: повторно не "
                                 "проверяется (по ссылкам проверка не переходит)"},
}
