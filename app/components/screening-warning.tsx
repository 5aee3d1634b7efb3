import { useMemo } from 'react';
import { useLocale, useT } from '../utils/i18n';
import { screenText } from '../../common/screening';

/**
 * The pre-publish screening beside a text field (issue 12): common/screening's findings for what is typed, live,
 * and — when one blocks — the field for a recorded reason to publish anyway. The server runs the same check on
 * submit and the worker again before sending, so this is help, not the gate.
 */
export function ScreeningWarning({ text, id, overrideName = 'screeningOverride', overrideValue }: { text: string; id: string; overrideName?: string; overrideValue?: string }) {
  const tr = useT();
  const locale = useLocale();
  const findings = useMemo(() => screenText(text, { locale }), [text, locale]);
  const blocking = findings.some((f) => f.severity === 'block');
  return (
    <div id={id} aria-live="polite" className="screening-warning">
      {findings.length > 0 ? (
        <>
          <p className="hint">{tr('inbox.screening.title')}</p>
          <ul className="field-errors">
            {findings.map((f, i) => (
              <li key={`${f.start}-${i}`} className={f.severity === 'block' ? 'finding' : undefined}>
                {f.message} ({f.text})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {blocking ? (
        <div className="field">
          <label htmlFor={`${id}-override`}>{tr('inbox.screening.override')}</label>
          <input id={`${id}-override`} name={overrideName} maxLength={500} defaultValue={overrideValue} />
        </div>
      ) : null}
    </div>
  );
}
