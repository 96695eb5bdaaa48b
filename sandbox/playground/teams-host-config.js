// A host config close to Microsoft Teams' light theme, so cards render here as they do in Teams.
window.TEAMS_HOST_CONFIG = (() => {
  // Teams' text colours; the accent and state colours are the same subtle or not.
  const text = () => ({ default: '#242424', subtle: '#616161' });
  const flat = (color) => ({ default: color, subtle: color });
  const tinted = (backgroundColor) => ({ backgroundColor, foregroundColors: { default: text() } });
  return {
    fontFamily: "'Segoe UI', system-ui, sans-serif",
    supportsInteractivity: true,
    spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 24, padding: 12 },
    separator: { lineThickness: 1, lineColor: '#E1E1E1' },
    fontSizes: { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 },
    fontWeights: { lighter: 300, default: 400, bolder: 600 },
    containerStyles: {
      default: {
        backgroundColor: '#FFFFFF',
        foregroundColors: {
          default: text(),
          accent: flat('#5B5FC7'),
          attention: flat('#C4314B'),
          good: flat('#237B4B'),
          warning: flat('#835C00'),
          dark: text(),
          light: flat('#FFFFFF'),
        },
      },
      emphasis: tinted('#F5F5F5'),
      good: tinted('#E7F2DA'),
      attention: tinted('#FCF4F6'),
      warning: tinted('#FBF6D9'),
    },
    actions: {
      maxActions: 6,
      spacing: 'default',
      buttonSpacing: 8,
      showCard: { actionMode: 'inline' },
      actionsOrientation: 'horizontal',
      actionAlignment: 'left',
    },
    factSet: { title: { weight: 'bolder', size: 'default', wrap: true, maxWidth: 150 }, value: { wrap: true }, spacing: 8 },
  };
})();
