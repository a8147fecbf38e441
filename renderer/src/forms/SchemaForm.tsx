import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ConfigIssue, PluginConfigView } from '@shared/domain/plugins';
import { checkAll, checkValue, fieldsOf, issueTarget, parseNumber, type Field } from './schemaFields';

type Values = Record<string, unknown>;

interface Props {
  config: PluginConfigView;
  /** Saves; resolves with Core's issues when it refuses the values. */
  onSave: (values: Values) => Promise<ConfigIssue[] | undefined>;
  disabled?: boolean;
  /** A field to point the user at (a link from a failed job): highlighted, scrolled to, focused. */
  focusField?: string;
}

function getAt(values: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Values)[key] : undefined), values);
}

/** A copy of `values` with `path` set (undefined removes the key), arrays copied as arrays. */
function setAt(values: Values, path: string, value: unknown): Values {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const copy = (Array.isArray(values) ? [...(values as unknown[])] : { ...values }) as Values;
  if (rest.length > 0) {
    const child = copy[head];
    copy[head] = setAt((typeof child === 'object' && child !== null ? child : {}) as Values, rest.join('.'), value);
  } else if (value === undefined && !Array.isArray(copy)) {
    copy[head] = undefined;
    return Object.fromEntries(Object.entries(copy).filter(([key]) => key !== head));
  } else {
    copy[head] = value;
  }
  return copy;
}

/** Core's issues by the field that shows each; what belongs to no field goes to the form. */
function placeIssues(fields: readonly Field[], issues: readonly ConfigIssue[]): { byField: Record<string, string>; form?: string } {
  const byField: Record<string, string> = {};
  const loose: string[] = [];
  for (const issue of issues) {
    const target = issueTarget(fields, issue.path);
    if (target === undefined) loose.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    else byField[target] = target === issue.path ? issue.message : `${issue.path.slice(target.length + 1)}: ${issue.message}`;
  }
  return { byField, ...(loose.length ? { form: loose.join(' ') } : {}) };
}

function defaultsOf(fields: readonly Field[]): Values {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.key, structuredClone(f.default)]));
}

/**
 * The settings form generated from a plugin's JSON Schema: every field checked as the user types,
 * Core's verdict on save shown at the field it concerns. Secrets show only whether they are set;
 * a secret the user does not touch is not sent, so Core keeps it.
 */
export function SchemaForm({ config, onSave, disabled, focusField }: Props) {
  const fields = useMemo(() => (config.schema ? fieldsOf(config.schema) : []), [config.schema]);
  const [draft, setDraft] = useState<Values>(() => structuredClone(config.values));
  const [editedSecrets, setEditedSecrets] = useState<Set<string>>(new Set());
  const [serverIssues, setServerIssues] = useState<Record<string, string>>(() => placeIssues(fields, config.issues).byField);
  const [formError, setFormError] = useState<string | undefined>(() => placeIssues(fields, config.issues).form);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  // New values from Core (our own save, or a change made elsewhere) replace the draft, while
  // "Saved." stays up; adjusting state during render is React's pattern for derived resets.
  const base = JSON.stringify(config.values);
  const [seenBase, setSeenBase] = useState(base);
  if (seenBase !== base) {
    setSeenBase(base);
    setDraft(structuredClone(config.values));
    setEditedSecrets(new Set());
  }
  const secretPaths = useMemo(() => new Set(Object.keys(config.secrets)), [config.secrets]);
  // Secrets that are set and not edited are not sent (Core keeps them) and not checked here.
  const untouchedSecrets = useMemo(() => new Set([...secretPaths].filter((p) => config.secrets[p] === true && !editedSecrets.has(p))), [secretPaths, config.secrets, editedSecrets]);
  const localIssues = useMemo(() => checkAll(fields, draft, '', untouchedSecrets), [fields, draft, untouchedSecrets]);
  const problems = { ...serverIssues, ...localIssues };
  const count = Object.keys(localIssues).length;

  if (!config.schema) return <p className="muted">This plugin's settings cannot be read while it fails to load.</p>;
  if (fields.length === 0) return <p className="muted">This plugin has no settings.</p>;

  const change = (path: string, value: unknown): void => {
    setDraft((current) => setAt(current, path, value));
    setSaved(false);
    setFormError(undefined);
    // Editing inside a secret (a list of accounts, say) makes the whole secret one to send.
    const secret = [...secretPaths].find((p) => path === p || path.startsWith(`${p}.`));
    if (secret && !editedSecrets.has(secret)) setEditedSecrets((current) => new Set(current).add(secret));
    setServerIssues((current) => {
      if (!(path in current)) return current;
      const { [path]: _gone, ...rest } = current;
      return rest;
    });
  };

  const submit = async (): Promise<void> => {
    if (count > 0) return;
    let values = draft;
    for (const path of untouchedSecrets) values = setAt(values, path, undefined);
    setSaving(true);
    const issues = await onSave(values);
    setSaving(false);
    if (issues?.length) {
      const placed = placeIssues(fields, issues);
      setServerIssues(placed.byField);
      setFormError(placed.form);
    } else {
      setServerIssues({});
      setFormError(undefined);
      setEditedSecrets(new Set());
      setSaved(true);
    }
  };

  const context: RenderContext = { draft, problems, change, disabled: Boolean(disabled || saving), secrets: config.secrets, editedSecrets, setEditedSecrets, ...(focusField ? { focusField } : {}) };
  return (
    <form
      className="schema-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {formError && (
        <p className="error-text" role="alert" data-testid="form-error">
          {formError}
        </p>
      )}
      {fields.map((field) => (
        <FieldView key={field.path} field={field} path={field.key} context={context} />
      ))}
      <div className="form-actions">
        <button type="submit" disabled={context.disabled || count > 0}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={context.disabled}
          onClick={() => {
            setDraft(structuredClone(config.values));
            setEditedSecrets(new Set());
            setServerIssues({});
            setFormError(undefined);
          }}
        >
          Undo changes
        </button>
        <button type="button" className="link" disabled={context.disabled} onClick={() => setDraft((current) => ({ ...current, ...defaultsOf(fields) }))}>
          Restore defaults
        </button>
        <span role="status" className="muted">
          {count > 0 ? `${count} field${count === 1 ? '' : 's'} to fix` : saved ? 'Saved.' : ''}
        </span>
      </div>
    </form>
  );
}

interface RenderContext {
  draft: Values;
  problems: Record<string, string>;
  change: (path: string, value: unknown) => void;
  disabled: boolean;
  secrets: Record<string, boolean>;
  editedSecrets: Set<string>;
  setEditedSecrets: (update: (current: Set<string>) => Set<string>) => void;
  focusField?: string;
}

function inputId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function Shell({ field, path, problem, children, wide, focus }: { field: Field; path: string; problem?: string; children: ReactNode; wide?: boolean; focus?: boolean }) {
  const id = inputId(path);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focus) return;
    ref.current?.scrollIntoView({ block: 'center' });
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  }, [focus]);
  return (
    <div ref={ref} className={`form-field${wide ? ' wide' : ''}${problem ? ' has-error' : ''}${focus ? ' highlighted' : ''}`} data-field={path}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      <div className="form-control">
        {children}
        {field.help && (
          <p className="muted help" id={`${id}-help`}>
            {field.help}
          </p>
        )}
        {problem && (
          <p className="error-text field-error" id={`${id}-error`} role="alert">
            {problem}
          </p>
        )}
      </div>
    </div>
  );
}

function describedBy(path: string, field: Field, problem?: string): string | undefined {
  const id = inputId(path);
  return [field.help ? `${id}-help` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function FieldView({ field, path, context }: { field: Field; path: string; context: RenderContext }) {
  const value = getAt(context.draft, path);
  const problem = context.problems[path];
  const focus = context.focusField === path;
  const common = {
    id: inputId(path),
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': describedBy(path, field, problem),
    disabled: context.disabled,
  };
  if (field.kind !== 'password' && context.secrets[path] === true && !context.editedSecrets.has(path)) {
    return (
      <Shell field={field} path={path} problem={problem} focus={focus}>
        <SecretIsSet id={common.id} disabled={context.disabled} onChange={() => context.setEditedSecrets((current) => new Set(current).add(path))} note="entering new values replaces all of them" />
      </Shell>
    );
  }
  switch (field.kind) {
    case 'text':
    case 'url':
    case 'path':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus}>
          <div className="input-row">
            <input
              {...common}
              type={field.kind === 'url' ? 'url' : 'text'}
              value={typeof value === 'string' ? value : ''}
              placeholder={typeof field.default === 'string' ? field.default : field.kind === 'path' ? 'a folder or file on the machine running Haven' : ''}
              onChange={(event) => context.change(path, event.target.value === '' ? undefined : event.target.value)}
            />
            {field.kind === 'path' && window.havenDesktop?.pickPath && (
              <button
                type="button"
                className="secondary"
                disabled={context.disabled}
                onClick={() => void window.havenDesktop!.pickPath!(/file$/i.test(field.key) ? 'file' : 'folder').then((picked) => picked && context.change(path, picked))}
              >
                Browse…
              </button>
            )}
          </div>
        </Shell>
      );
    case 'password': {
      const isSet = context.secrets[path] === true;
      const editing = context.editedSecrets.has(path) || !isSet;
      return (
        <Shell field={field} path={path} problem={problem} focus={focus}>
          {editing ? (
            <input
              {...common}
              type="password"
              autoComplete="off"
              value={typeof value === 'string' ? value : ''}
              placeholder={isSet ? 'type a new value' : 'not set'}
              onChange={(event) => {
                context.setEditedSecrets((current) => new Set(current).add(path));
                context.change(path, event.target.value === '' ? undefined : event.target.value);
              }}
            />
          ) : (
            <SecretIsSet id={common.id} disabled={context.disabled} onChange={() => context.setEditedSecrets((current) => new Set(current).add(path))} />
          )}
        </Shell>
      );
    }
    case 'integer':
    case 'number':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus}>
          {/* A text input: a number input hides half-typed text ("1e", "-") as an empty value. */}
          <input
            {...common}
            type="text"
            inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
            autoComplete="off"
            placeholder={rangeHint(field)}
            value={value === undefined ? '' : String(value)}
            onChange={(event) => context.change(path, parseNumber(event.target.value))}
          />
        </Shell>
      );
    case 'boolean':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus}>
          <label className="switch">
            <input {...common} type="checkbox" role="switch" checked={value === true} onChange={(event) => context.change(path, event.target.checked)} />
            <span aria-hidden="true" />
          </label>
        </Shell>
      );
    case 'select':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus}>
          <select {...common} value={value === undefined ? '' : String(value)} onChange={(event) => context.change(path, event.target.value === '' ? undefined : event.target.value)}>
            {field.default === undefined && (
              // A required choice without a default starts empty rather than showing an option it does not hold.
              <option value="" disabled={field.required}>
                {field.required ? 'Choose…' : '(not set)'}
              </option>
            )}
            {field.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </Shell>
      );
    case 'list':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus} wide>
          <ChipsInput field={field} common={common} values={Array.isArray(value) ? value : []} onChange={(next) => context.change(path, next)} />
        </Shell>
      );
    case 'group':
      return (
        <fieldset className="form-group" data-field={path}>
          <GroupHeading field={field} problem={problem} />
          {field.fields.map((child) => (
            <FieldView key={child.path} field={child} path={`${path}.${child.key}`} context={context} />
          ))}
        </fieldset>
      );
    case 'groupList': {
      const items = Array.isArray(value) ? value : [];
      return (
        <fieldset className="form-group" data-field={path}>
          <GroupHeading field={field} problem={problem} />
          {items.length === 0 && <p className="muted">None yet.</p>}
          {items.map((_, index) => (
            <div className="group-item" key={index}>
              {field.fields.map((child) => (
                <FieldView key={child.path} field={child} path={`${path}.${index}.${child.key}`} context={context} />
              ))}
              <button type="button" className="link" disabled={context.disabled} onClick={() => context.change(path, items.filter((__, i) => i !== index))}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" className="secondary" disabled={context.disabled} onClick={() => context.change(path, [...items, defaultsOf(field.fields)])}>
            Add
          </button>
        </fieldset>
      );
    }
    case 'json':
      return (
        <Shell field={field} path={path} problem={problem} focus={focus} wide>
          <JsonInput common={common} value={value} onChange={(next) => context.change(path, next)} />
        </Shell>
      );
  }
}

/** A group's legend, help and error, the same for one object and a list of them. */
function GroupHeading({ field, problem }: { field: Field; problem?: string }) {
  return (
    <>
      <legend>{field.label}</legend>
      {field.help && <p className="muted help">{field.help}</p>}
      {problem && (
        <p className="error-text field-error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}

function SecretIsSet({ id, disabled, onChange, note }: { id: string; disabled: boolean; onChange: () => void; note?: string }) {
  return (
    <div className="input-row">
      <span className="secret-set" id={id}>
        Set (hidden){note ? ` · ${note}` : ''}
      </span>
      <button type="button" className="secondary" disabled={disabled} onClick={onChange}>
        Change
      </button>
    </div>
  );
}

function rangeHint(field: Extract<Field, { kind: 'number' | 'integer' }>): string | undefined {
  if (field.default !== undefined) return String(field.default);
  const low = field.minimum ?? field.exclusiveMinimum;
  const high = field.maximum ?? field.exclusiveMaximum;
  if (low !== undefined && high !== undefined) return `${low} – ${high}`;
  if (low !== undefined) return `${field.minimum !== undefined ? 'at least' : 'more than'} ${low}`;
  if (high !== undefined) return `${field.maximum !== undefined ? 'at most' : 'less than'} ${high}`;
  return undefined;
}

function ChipsInput({ field, common, values, onChange }: { field: Extract<Field, { kind: 'list' }>; common: Record<string, unknown>; values: unknown[]; onChange: (next: unknown[]) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const add = (): void => {
    const parts = text.split(',').map((part) => part.trim()).filter(Boolean);
    if (parts.length === 0) return;
    const next: unknown[] = [];
    for (const part of parts) {
      const item = field.item.kind === 'integer' || field.item.kind === 'number' ? parseNumber(part) : part;
      const itemProblem = checkValue(field.item, item);
      if (itemProblem) {
        setProblem(`"${part}": ${itemProblem}`);
        return;
      }
      next.push(item);
    }
    setProblem(undefined);
    onChange([...values, ...next]);
    setText('');
  };
  return (
    <div className="chips">
      <ul className="chip-list" aria-label={`${field.label}: entries`}>
        {values.map((item, index) => (
          <li key={`${String(item)}-${index}`} className="chip">
            <span>{String(item)}</span>
            <button type="button" aria-label={`Remove ${String(item)}`} disabled={common.disabled as boolean} onClick={() => onChange(values.filter((_, i) => i !== index))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <input
        {...common}
        value={text}
        placeholder={field.item.kind === 'select' ? field.item.options.join(', ') : 'type, then Enter (a, b, c adds several)'}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' || event.key === ',') {
            event.preventDefault();
            add();
          } else if (event.key === 'Backspace' && text === '' && values.length > 0) {
            onChange(values.slice(0, -1));
          }
        }}
        onBlur={add}
      />
      {problem && <p className="error-text field-error">{problem}</p>}
    </div>
  );
}

function JsonInput({ common, value, onChange }: { common: Record<string, unknown>; value: unknown; onChange: (next: unknown) => void }) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problem, setProblem] = useState<string>();
  return (
    <>
      <textarea
        {...common}
        rows={4}
        spellCheck={false}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') {
            setProblem(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(event.target.value));
            setProblem(undefined);
          } catch {
            setProblem('Not valid JSON yet.');
          }
        }}
      />
      {problem && <p className="error-text field-error">{problem}</p>}
    </>
  );
}
