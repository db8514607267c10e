// Consultation pages: show and hide questions whose `relevant` condition depends on answers on
// the same page, as those answers change ("If other, please say what").
//
// The server decides what applies (shire/consult/questionnaire.py with expressions.py) and checks
// it again on every Continue; this script only spares people the round trip. It evaluates the
// same XLSForm expression subset with the same rules as expressions.py. Each question is wrapped
// in `.shire-item`; a conditional one carries `data-relevant`, and its hidden `shown` input is
// disabled while it is hidden, so the server knows which questions the person saw.

// --- parsing ---------------------------------------------------------------------------------

const TOKEN = /\s*(?:(\$\{([^}]*)\})|(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|(<=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)|(\.(?![\w.]))|([A-Za-z_][\w.:-]*))/y

function tokenize (text) {
  const tokens = []
  text = text.replace(/\s+$/, '')
  let pos = 0
  while (pos < text.length) {
    TOKEN.lastIndex = pos
    const m = TOKEN.exec(text)
    if (!m || TOKEN.lastIndex === pos) throw new Error('unexpected character at ' + pos)
    if (m[1] !== undefined) tokens.push(['ref', m[2].trim()])
    else if (m[3] !== undefined) tokens.push(['number', parseFloat(m[3])])
    else if (m[4] !== undefined) tokens.push(['string', m[4].slice(1, -1)])
    else if (m[5] !== undefined) tokens.push(['op', m[5]])
    else if (m[6] !== undefined) tokens.push(['dot', '.'])
    else tokens.push(['name', m[7]])
    pos = TOKEN.lastIndex
  }
  tokens.push(['end', null])
  return tokens
}

const BINARY = [['or'], ['and'], ['=', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', 'div', 'mod']]

function parse (text) {
  const tokens = tokenize(text)
  let i = 0
  const peek = () => tokens[i]
  const take = () => tokens[i++]
  const isOp = (token, ops) => (token[0] === 'op' || token[0] === 'name') && ops.includes(token[1])
  const expect = (op) => {
    const token = take()
    if (token[0] !== 'op' || token[1] !== op) throw new Error('expected ' + op)
  }
  function binary (level) {
    if (level === BINARY.length) return unary()
    let node = binary(level + 1)
    while (isOp(peek(), BINARY[level])) {
      const op = take()[1]
      node = ['op', op, node, binary(level + 1)]
    }
    return node
  }
  function unary () {
    if (isOp(peek(), ['-'])) {
      take()
      return ['neg', unary()]
    }
    return primary()
  }
  function primary () {
    const [kind, value] = take()
    if (kind === 'number') return ['num', value]
    if (kind === 'string') return ['str', value]
    if (kind === 'ref') return ['ref', value]
    if (kind === 'dot') return ['self']
    if (kind === 'op' && value === '(') {
      const node = binary(0)
      expect(')')
      return node
    }
    if (kind === 'name' && peek()[0] === 'op' && peek()[1] === '(') {
      take()
      const args = []
      if (!(peek()[0] === 'op' && peek()[1] === ')')) {
        args.push(binary(0))
        while (peek()[0] === 'op' && peek()[1] === ',') {
          take()
          args.push(binary(0))
        }
      }
      expect(')')
      if (!(value in FUNCTIONS)) throw new Error('unsupported function ' + value)
      return ['call', value, args]
    }
    throw new Error('unexpected ' + value)
  }
  const node = binary(0)
  if (peek()[0] !== 'end') throw new Error('unexpected ' + peek()[1])
  return node
}

// --- values, as expressions.py treats them ---------------------------------------------------

function asString (value) {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return value.map(String).join(' ')
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    return String(value)
  }
  return String(value)
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function asNumber (value) {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return value
  const text = asString(value).trim()
  return NUMBER.test(text) ? Number(text) : NaN
}

function asBool (value) {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value)
  if (Array.isArray(value)) return value.length > 0
  return !(value === null || value === undefined || value === '')
}

function isDate (text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const [y, m, d] = text.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

function compare (op, left, right) {
  if (op === '=' || op === '!=') {
    let equal
    if (typeof left === 'boolean' || typeof right === 'boolean') equal = asBool(left) === asBool(right)
    else if (typeof left === 'number' || typeof right === 'number') equal = asNumber(left) === asNumber(right)
    else equal = asString(left) === asString(right)
    return op === '=' ? equal : !equal
  }
  let a = asNumber(left)
  let b = asNumber(right)
  if (Number.isNaN(a) || Number.isNaN(b)) {
    const sa = asString(left)
    const sb = asString(right)
    if (isDate(sa) && isDate(sb)) {
      a = sa
      b = sb
    } else {
      return false
    }
  }
  return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[op]
}

function names (value) {
  if (Array.isArray(value)) return value.map(String)
  return asString(value).split(/\s+/).filter(Boolean)
}

function today () {
  const now = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return now.getFullYear() + '-' + pad(now.getMonth() + 1) + '-' + pad(now.getDate())
}

const FUNCTIONS = {
  selected: (a) => names(a[0]()).includes(asString(a[1]())),
  'count-selected': (a) => names(a[0]()).length,
  not: (a) => !asBool(a[0]()),
  'string-length': (a) => Array.from(asString(a[0]())).length,
  number: (a) => asNumber(a[0]()),
  int: (a) => {
    const n = asNumber(a[0]())
    return Number.isFinite(n) ? Math.trunc(n) : n
  },
  string: (a) => asString(a[0]()),
  boolean: (a) => asBool(a[0]()),
  if: (a) => (asBool(a[0]()) ? a[1]() : a[2]()),
  coalesce: (a) => {
    const first = a[0]()
    return asString(first) !== '' ? first : a[1]()
  },
  concat: (a) => a.map((arg) => asString(arg())).join(''),
  contains: (a) => asString(a[0]()).includes(asString(a[1]())),
  'starts-with': (a) => asString(a[0]()).startsWith(asString(a[1]())),
  'ends-with': (a) => asString(a[0]()).endsWith(asString(a[1]())),
  regex: (a) => {
    try {
      return new RegExp(asString(a[1]())).test(asString(a[0]()))
    } catch (error) {
      return false
    }
  },
  today: () => today(),
  true: () => true,
  false: () => false
}

function evaluate (node, answer) {
  switch (node[0]) {
    case 'num':
    case 'str':
      return node[1]
    case 'ref':
      return answer(node[1])
    case 'self':
      return null
    case 'neg':
      return -asNumber(evaluate(node[1], answer))
    case 'call':
      return FUNCTIONS[node[1]](node[2].map((arg) => () => evaluate(arg, answer)))
    case 'op': {
      const op = node[1]
      if (op === 'or') return asBool(evaluate(node[2], answer)) || asBool(evaluate(node[3], answer))
      if (op === 'and') return asBool(evaluate(node[2], answer)) && asBool(evaluate(node[3], answer))
      const left = evaluate(node[2], answer)
      const right = evaluate(node[3], answer)
      if (['=', '!=', '<', '<=', '>', '>='].includes(op)) return compare(op, left, right)
      const a = asNumber(left)
      const b = asNumber(right)
      if (op === '+') return a + b
      if (op === '-') return a - b
      if (op === '*') return a * b
      if (op === 'div') return b ? a / b : (a === 0 ? NaN : (a > 0 ? Infinity : -Infinity))
      if (op === 'mod') return b ? a % b : NaN
    }
  }
  throw new Error('cannot evaluate ' + node[0])
}

// --- reading the page's answers --------------------------------------------------------------

function byName (form, name) {
  return Array.from(form.elements).filter((element) => element.name === name && !element.disabled)
}

function readAnswer (form, name, type) {
  const value = (element) => (element ? element.value.trim() : '')
  if (type === 'select_one') {
    const checked = byName(form, name).find((element) => element.checked)
    return checked ? checked.value : null
  }
  if (type === 'select_multiple') {
    const checked = byName(form, name).filter((element) => element.checked).map((element) => element.value)
    return checked.length ? checked : null
  }
  if (type === 'text') {
    const text = value(byName(form, name)[0])
    return text === '' ? null : text
  }
  if (type === 'integer' || type === 'decimal') {
    const text = value(byName(form, name)[0]).replace(/,/g, '')
    if (!NUMBER.test(text)) return null
    const number = Number(text)
    if (type === 'integer' && !Number.isInteger(number)) return null
    return number
  }
  if (type === 'date') {
    const [day, month, year] = ['day', 'month', 'year'].map((part) => value(byName(form, name + '-' + part)[0]))
    if (!/^\d+$/.test(day) || !/^\d+$/.test(month) || !/^\d{4}$/.test(year)) return null
    const iso = year + '-' + month.padStart(2, '0') + '-' + day.padStart(2, '0')
    return isDate(iso) ? iso : null
  }
  if (type === 'rank') {
    const selects = Array.from(form.elements).filter((element) => element.name && element.name.startsWith(name + '-position-'))
    const positions = selects.map((element) => [element.name.slice((name + '-position-').length), parseInt(element.value, 10)])
    const used = positions.map(([, position]) => position).sort((a, b) => a - b)
    if (!used.every((position, index) => position === index + 1)) return null
    return positions.sort((a, b) => a[1] - b[1]).map(([choice]) => choice)
  }
  return null
}

function enhance (form, data) {
  const items = Array.from(form.querySelectorAll('.shire-item'))
  const itemOf = new Map()
  for (const item of items) {
    for (const input of item.querySelectorAll('input[name="shown"]')) itemOf.set(input.value, item)
  }
  const conditional = []
  for (const item of items) {
    if (!item.dataset.relevant) continue
    try {
      conditional.push([item, parse(item.dataset.relevant)])
    } catch (error) {
      // An expression this script cannot read: leave the question as the server showed it.
    }
  }
  if (!conditional.length) return

  function answer (name) {
    if (name in data.types) {
      const item = itemOf.get(name)
      if (item && item.hidden) return null // a question that does not apply has no answer
      return readAnswer(form, name, data.types[name])
    }
    return name in data.answers ? data.answers[name] : null
  }

  function update () {
    for (const [item, tree] of conditional) {
      let relevant
      try {
        relevant = asBool(evaluate(tree, answer))
      } catch (error) {
        continue
      }
      const hide = !relevant && !('keepShown' in item.dataset)
      if (item.hidden !== hide) {
        item.hidden = hide
        for (const input of item.querySelectorAll('input[name="shown"]')) input.disabled = hide
      }
    }
  }

  form.addEventListener('change', update)
  form.addEventListener('input', update)
  update()
}

const dataElement = typeof document === 'undefined' ? null : document.getElementById('shire-relevance')
if (dataElement) {
  const data = JSON.parse(dataElement.textContent)
  const first = document.querySelector('form .shire-item')
  if (first) enhance(first.closest('form'), data)
}

// For tests: the evaluator on its own, checked against expressions.py with the same cases.
export function isRelevant (expression, answers) {
  return asBool(evaluate(parse(expression), (name) => (name in answers ? answers[name] : null)))
}
