/** Messages of the handover's second part (issue 13): the host's schedule, drafts handed back at the week's end. */
export const svHandover2 = {
  'handover2.scheduleIntro': 'Kontots schema för din vecka. Du kan öppna dina egna inlägg.',
  'handover2.handedBack': 'Utkast tillbaka till employer branding',
  'handover2.handedBackIntro': 'Inlägg som inte var godkända när veckan slutade. De är inte publicerade och väntar i granskningskön.',
  'handover2.handedBackNone': 'Inga utkast lämnades tillbaka.',
  'handover2.handedBackCount': 'Utkast tillbaka efter veckan: {count}',
  'handover2.review': 'Granska',
  'handover2.handedBackFrom': 'Från {state}',
  'handover2.signInInstead': 'Du har redan ett lösenord från en tidigare vecka. Välj ett nytt nedan, eller',
  'handover2.signIn': 'logga in med ditt lösenord',
};

export const enHandover2: Record<keyof typeof svHandover2, string> = {
  'handover2.scheduleIntro': 'The account’s schedule for your week. You can open your own posts.',
  'handover2.handedBack': 'Drafts back with employer branding',
  'handover2.handedBackIntro': 'Posts that were not approved when the week ended. They are not published and wait in the review queue.',
  'handover2.handedBackNone': 'No drafts were handed back.',
  'handover2.handedBackCount': 'Drafts handed back after the week: {count}',
  'handover2.review': 'Review',
  'handover2.handedBackFrom': 'From {state}',
  'handover2.signInInstead': 'You already have a password from an earlier week. Choose a new one below, or',
  'handover2.signIn': 'sign in with your password',
};
